// The dashboard's page: structure only. Its script and styles are separate assets, so the page's
// Content-Security-Policy allows no inline script or style at all.
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pitchey dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<header><h1>Pitchey</h1><p id="identity" hidden><span id="who"></span> <button id="forget" type="button">Forget key</button></p></header>
<p id="status">Loading…</p>
<p id="notice" role="alert" hidden></p>
<form id="login" hidden><label>API key <input id="key" type="password" autocomplete="off"></label> <button>Show</button></form>
<h2>Services</h2>
<table><thead><tr><td>service</td><td>weights</td><td>instance</td><td>track</td><td>version</td><td>health</td><td>in flight</td></tr></thead><tbody id="pools"></tbody></table>
<h2>Deployments</h2>
<div id="deployments"></div>
<h2>History</h2>
<p id="history-empty">No deployment has ended yet.</p>
<table><thead><tr><td>deployment</td><td>service</td><td>change</td><td>strategy</td><td>outcome</td><td>by</td><td>updated</td><td>reason</td><td></td></tr></thead><tbody id="history"></tbody></table>
<section id="record" hidden><p><button id="record-close" type="button">Close record</button></p><div id="record-body"></div></section>
<dialog id="confirm"><p id="confirm-text"></p><p id="confirm-field" hidden><label><span id="confirm-label"></span> <input id="confirm-input" autocomplete="off"></label></p>
<p><button id="confirm-ok" type="button">Confirm</button> <button id="confirm-cancel" type="button">Cancel</button></p></dialog>
</body>
</html>
`;
