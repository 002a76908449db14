/**
 * The SQL examples the README shows ("How to query"), kept here so a test runs each one on the
 * real engine. Each runs as is with `logq query --sql "…"`, clickhouse-client or Grafana.
 */
export interface QueryExample {
  title: string;
  sql: string;
}

/** The README's query examples, in order. */
export const QUERY_EXAMPLES: readonly QueryExample[] = [
  {
    title: 'Errors by service in the last hour',
    sql: `SELECT ServiceName, count() AS errors
FROM otel.otel_logs
WHERE SeverityNumber >= 17 AND Timestamp >= now() - INTERVAL 1 HOUR
GROUP BY ServiceName
ORDER BY errors DESC`,
  },
  {
    title: 'Everything for one request id',
    sql: `SELECT Timestamp, SeverityText, ServiceName, Body, TraceId
FROM otel.otel_logs
WHERE LogAttributes['request.id'] = 'req-123'
ORDER BY Timestamp`,
  },
  {
    title: 'Top repeated messages today (numbers masked so similar messages group)',
    sql: `SELECT replaceRegexpAll(Body, '[0-9]+', '<n>') AS message, count() AS times, any(ServiceName) AS service
FROM otel.otel_logs
WHERE Timestamp >= today()
GROUP BY message
ORDER BY times DESC
LIMIT 10`,
  },
  {
    title: 'Log volume per level per day',
    sql: `SELECT toDate(Timestamp) AS day, SeverityText AS level, count() AS records
FROM otel.otel_logs
GROUP BY day, level
ORDER BY day, level`,
  },
];
