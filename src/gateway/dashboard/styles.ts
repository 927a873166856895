// The dashboard's stylesheet, served as /dashboard/app.css (no inline style: the CSP forbids it).
export const STYLES = `
body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; max-width: 1200px; }
header { display: flex; align-items: baseline; gap: 1.5rem; }
h1 { margin: 0 0 .5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
td { border-bottom: 1px solid #ddd; padding: .25rem .75rem .25rem 0; vertical-align: top; }
thead td, th, .rules tr:first-child td { font-weight: 600; }
button { font: inherit; padding: .2rem .7rem; border: 1px solid #888; border-radius: 4px; background: #f5f5f5; cursor: pointer; }
button.danger { border-color: #b00020; color: #b00020; }
button.signoff { border-color: #1565c0; color: #1565c0; }
.unhealthy, .verdict-fail, .verdict-error, .error, .phase-rolled-back, .phase-failed { color: #b00020; }
.draining, .verdict-inconclusive { color: #a15c00; }
.healthy, .verdict-pass, .ok, .phase-promoted { color: #1b5e20; }
#notice { padding: .4rem .6rem; border: 1px solid currentColor; border-radius: 4px; }
.deployment { border-left: 4px solid #999; padding-left: .75rem; margin-bottom: 1.5rem; }
.deployment.live { border-color: #1565c0; }
.deployment h3 { margin: .25rem 0; }
.steps { display: flex; gap: 2px; list-style: none; padding: 0; margin: .25rem 0; max-width: 600px; }
.steps li { flex: 1; text-align: center; padding: .1rem 0; background: #e0e0e0; font-size: 12px; }
.steps li.done { background: #90caf9; }
.steps li.current { background: #1565c0; color: #fff; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.chart { margin: 0; width: 420px; }
.chart figcaption { font-weight: 600; }
.chart svg { width: 420px; height: 150px; }
.chart .axis { stroke: #888; }
.chart .grid { stroke: #ddd; stroke-dasharray: 3 3; }
.chart .tick { font-size: 10px; fill: #555; }
.chart .line { fill: none; stroke-width: 2; }
.line.stable, .dot.stable, .line.blue, .dot.blue { stroke: #1565c0; fill: #1565c0; }
.line.canary, .dot.canary, .line.green, .dot.green { stroke: #e65100; fill: #e65100; }
.chart path.line { fill: none; }
.legend { margin: 0; font-size: 12px; display: flex; gap: 1rem; }
.legend .key::before { content: ''; display: inline-block; width: 10px; height: 10px; margin-right: .3rem; background: #888; }
.legend .key.stable::before, .legend .key.blue::before { background: #1565c0; }
.legend .key.canary::before, .legend .key.green::before { background: #e65100; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
.rules td { font-size: 13px; }
#record { border: 1px solid #ccc; padding: .5rem 1rem; margin-top: 1rem; }
#record td, #record th { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; }
dialog { border: 1px solid #888; border-radius: 6px; max-width: 520px; }
dialog input { width: 100%; }
`;
