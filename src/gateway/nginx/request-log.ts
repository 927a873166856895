// The nginx data plane's request log: for each request nginx answers itself, the two pino lines
// the Node gateway writes for one (Fastify's "incoming request" and "request completed"), with the
// same fields in the same order, so the gateway's log reads the same whichever plane carried it.
// Requests nginx hands to the Node gateway are logged there, not here.

/**
 * The gateway logger's own fields (pino's bindings: pid, service, version, track), as literal
 * JSON inside an nginx string: backslashes doubled for nginx's parser, `'` escaped, and `$` (a
 * variable to nginx) written as JSON's `\u0024`.
 */
function literal(bindings: Record<string, unknown>): string {
  const json = JSON.stringify(bindings).slice(1, -1);
  return json.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$/g, '\\\\u0024');
}

/** Fastify's request serializer (method, url, version, host, remoteAddress, remotePort); `version` only with an Accept-Version header. */
function requestFields(withVersion: boolean): string {
  const version = withVersion ? '"version":"$http_accept_version",' : '';
  return `"req":{"method":"$request_method","url":"$pitchey_log_url",${version}"host":"$pitchey_log_host","remoteAddress":"$remote_addr","remotePort":$realip_remote_port}`;
}

/** One log entry: both lines, written by one write (nginx ends it with the second newline). */
function entry(bindings: string, withVersion: boolean): string {
  const head = (time: string): string => `{"level":30,"time":"${time}",${bindings}${bindings === '' ? '' : ','}"reqId":"$pitchey_request_id",`;
  const incoming = `${head('$pitchey_log_start')}${requestFields(withVersion)},"msg":"incoming request"}`;
  const completed = `${head('$pitchey_log_time')}"res":{"statusCode":$status},"responseTime":$pitchey_log_ms,"msg":"request completed"}`;
  return `'${incoming}\\n${completed}'`;
}

/**
 * The http{} part: the two formats (with and without `version`), and the host as Fastify takes it:
 * from a trusted peer, the last X-Forwarded-Host; otherwise Host.
 */
export function requestLogFormats(bindings: Record<string, unknown>): string {
  const fields = literal(bindings);
  return [
    `log_format pitchey_request escape=json ${entry(fields, false)};`,
    `log_format pitchey_request_versioned escape=json ${entry(fields, true)};`,
    'map $http_accept_version $pitchey_log_plain { "" 1; default 0; }',
    'map $http_accept_version $pitchey_log_versioned { "" 0; default 1; }',
    // A request line nginx refused (a bad percent-encoding) has no $request_uri: its target as sent.
    'map $request $pitchey_request_target { "~^\\S+\\s+(?<target>\\S+)" $target; default ""; }',
    'map $request_uri $pitchey_log_url { "" $pitchey_request_target; default $request_uri; }',
    'map $pitchey_trusted_peer$http_x_forwarded_host $pitchey_log_host { "~^1(?=.)(?:.*,)?\\s*(?<last>[^,]*?)\\s*$" $last; default $http_host; }',
  ].join('\n  ');
}

/** The FIFO in nginx's directory its request log is written to, which the gateway reads (fifo.ts). */
export const REQUEST_LOG_FIFO = 'requests.fifo';

/**
 * How nginx writes the log: in batches of 32 KiB (about 45 requests), at least once a second, and
 * at a graceful stop. A write per request woke the gateway once per request to pass a line on,
 * which cost it more CPU than the lines themselves (bench/gateway-overhead.mjs). Half the FIFO's
 * 64 KiB: a batch finds room unless the gateway is already a batch behind, where nginx would wait.
 */
const BUFFERED = 'buffer=32k flush=1s';

/**
 * The server's part: the variables pitchey.lua's log() fills (the times as pino writes them, the
 * time taken in ms), and the log itself.
 */
export function requestLogServer(prefix: string): string {
  const path = `${prefix}/${REQUEST_LOG_FIFO}`;
  return [
    'set $pitchey_log_start "";',
    'set $pitchey_log_time "";',
    'set $pitchey_log_ms "0";',
    `access_log ${path} pitchey_request ${BUFFERED} if=$pitchey_log_plain;`,
    `access_log ${path} pitchey_request_versioned ${BUFFERED} if=$pitchey_log_versioned;`,
  ].join('\n    ');
}
