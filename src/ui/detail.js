// The detail panel: every field, attribute and resource attribute of one record; its trace id
// and request id are buttons that show every record of that request.

import { levelOf } from './levels.js';
import { formatTime } from './results.js';

const REQUEST_ID = 'request.id';

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function followButton(id, label, onFollow) {
  const button = h('button', { type: 'button', className: 'follow', textContent: id });
  button.setAttribute('aria-label', `${label} ${id}: show every record of this request`);
  button.addEventListener('click', () => onFollow(id));
  return button;
}

function attributeTable(caption, attrs) {
  const keys = Object.keys(attrs).sort();
  if (!keys.length) return h('p', { className: 'empty', textContent: `No ${caption.toLowerCase()}.` });
  const table = h('table', { className: 'attrs' }, h('caption', { textContent: `${caption} (${keys.length})` }));
  const body = h('tbody');
  for (const key of keys) {
    body.append(h('tr', {}, h('th', { scope: 'row', textContent: key }), h('td', { textContent: attrs[key] })));
  }
  table.append(body);
  return table;
}

/** Fills the panel with `record`; `onFollow(id)` opens the request view of a trace or request id. */
export function showDetail(record, onFollow) {
  const level = levelOf(record.severityNumber);
  const fields = h('dl', { className: 'fields' });
  const add = (term, value) => {
    if (value === '' || value === undefined) return;
    fields.append(h('dt', { textContent: term }), h('dd', {}, value));
  };
  add('Time', h('time', { dateTime: record.timestamp, textContent: `${formatTime(record)} (${record.timestamp})` }));
  add('Level', h('span', { className: `badge lvl-${level}`, textContent: `${level} (${record.severityText || '-'} / ${record.severityNumber})` }));
  add('Service', record.serviceName);
  add('Logger', record.scopeName);
  add('Event', record.eventName);
  add('Trace id', record.traceId ? followButton(record.traceId, 'Trace', onFollow) : '');
  add('Span id', record.spanId);
  const requestId = record.logAttributes[REQUEST_ID];
  add('Request id', requestId ? followButton(requestId, 'Request', onFollow) : '');

  const body = document.getElementById('detail-body');
  body.replaceChildren(
    fields,
    h('h3', { textContent: 'Message' }),
    h('pre', { className: 'body', textContent: record.body }),
    attributeTable('Attributes', record.logAttributes),
    attributeTable('Resource attributes', record.resourceAttributes),
  );
  document.getElementById('detail').dataset.cursor = record.cursor;
}

/** Empties the panel. */
export function clearDetail() {
  document.getElementById('detail-body').replaceChildren(h('p', { className: 'empty', textContent: 'Select a record to see all its attributes.' }));
  delete document.getElementById('detail').dataset.cursor;
}
