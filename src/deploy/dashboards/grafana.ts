// Grafana's dashboard JSON from short panel specs: panels laid out on the 24-column grid row by
// row, every target on the provisioned Prometheus datasource, thresholds drawn as lines.
/** The datasource ops/grafana/provisioning provisions. */
export const DATASOURCE = { type: 'prometheus', uid: 'pitchey-prometheus' } as const;

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  type?: 'timeseries' | 'stat' | 'table';
  queries: Query[];
  unit?: string;
  /** Width in grid columns (default 8) and height in rows (default 8). */
  w?: number;
  h?: number;
  /** Values drawn as red lines (timeseries) or coloured steps (stat): the alert and rollback thresholds. */
  thresholds?: Array<{ value: number; color: 'yellow' | 'red' }>;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** A `service` variable from this metric's labels: several services, or one. */
  serviceVariable: { metric: string; multi: boolean };
  rows: RowSpec[];
}

function fieldConfig(spec: PanelSpec): Record<string, unknown> {
  const defaults: Record<string, unknown> = { unit: spec.unit ?? 'short' };
  if (spec.thresholds !== undefined) {
    defaults.thresholds = { mode: 'absolute', steps: [{ color: 'green', value: null }, ...spec.thresholds] };
    if ((spec.type ?? 'timeseries') === 'timeseries') defaults.custom = { thresholdsStyle: { mode: 'line+area' } };
  }
  return { defaults, overrides: [] };
}

const OPTIONS = {
  timeseries: { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  stat: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'area', textMode: 'value_and_name' },
  table: { showHeader: true },
};

function panel(spec: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  const type = spec.type ?? 'timeseries';
  const targets = spec.queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DATASOURCE,
    editorMode: 'code',
    range: type !== 'table',
    instant: type === 'table',
    expr: q.expr,
    legendFormat: q.legend,
    ...(type === 'table' ? { format: 'table' } : {}),
  }));
  return { id, type, title: spec.title, description: spec.description, datasource: DATASOURCE, gridPos, targets, fieldConfig: fieldConfig(spec), options: OPTIONS[type] };
}

/** Rows and their panels placed left to right, wrapping at 24 columns. */
function layout(rows: RowSpec[]): Array<Record<string, unknown>> {
  const panels: Array<Record<string, unknown>> = [];
  let y = 0;
  for (const row of rows) {
    panels.push({ id: panels.length + 1, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of row.panels) {
      const w = spec.w ?? 8;
      const h = spec.h ?? 8;
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panel(spec, panels.length + 1, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return panels;
}

function serviceVariable({ metric, multi }: DashboardSpec['serviceVariable']): Record<string, unknown> {
  const query = `label_values(${metric}, service)`;
  return {
    name: 'service',
    label: 'Service',
    type: 'query',
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 },
    includeAll: multi,
    multi,
    ...(multi ? { allValue: '.*', current: { selected: true, text: ['All'], value: ['$__all'] } } : { current: {} }),
    refresh: 2,
    sort: 1,
    options: [],
  };
}

/** The dashboard's JSON, as checked in under ops/grafana/dashboards. */
export function renderDashboard(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['pitchey'],
    timezone: 'utc',
    editable: false,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-3h', to: 'now' },
    links: [{ title: 'Pitchey dashboards', type: 'dashboards', tags: ['pitchey'], asDropdown: true, includeVars: true, keepTime: true }],
    annotations: {
      list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }],
    },
    templating: { list: [serviceVariable(spec.serviceVariable)] },
    panels: layout(spec.rows),
  };
}
