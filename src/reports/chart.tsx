import type { ChartData } from './report.ts';

/** Colour-blind-safe colours (Okabe–Ito), one per series. */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000'];

/** Drawn in a 340-unit box: a 360 px phone shows it at about 1:1, so its text stays readable there. */
const W = 340;
/** Bars start here; each category's label is written above its bar(s), so long names fit a phone. */
const LABEL = 8;
const RIGHT = 44;
const HEAD = 15;
const BAR = 16;
const GAP = 8;

/** Shorten a long category label for the chart (the table beside it has it whole). */
function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * A horizontal bar chart drawn on the server as SVG (no script): one row per category, its series
 * either stacked in one bar or as thin bars side by side; the value at the end of each bar, a legend
 * above. It scales to the page's width (viewBox), so a phone shows it without sideways scrolling.
 * Every text is escaped.
 */
export function barChart(props: { chart: ChartData; title: string; empty: string }): JSX.Element {
  const { chart, title } = props;
  const { categories, series, stacked } = chart;
  if (categories.length === 0 || series.length === 0) {
    return (
      <p class="muted" data-qa="chart-empty" safe>
        {props.empty}
      </p>
    );
  }
  const totals = categories.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = Math.max(1, ...(stacked ? totals : series.flatMap((x) => x.values)));
  const plot = W - LABEL - RIGHT;
  const scale = (v: number) => (v / max) * plot;
  const legendRows = Math.ceil(series.length / 2);
  const top = 8 + legendRows * 20 + 6;
  const rowH = HEAD + (stacked ? BAR + GAP : series.length * (BAR - 4) + GAP + 4);
  const height = top + categories.length * rowH + 8;
  const fmt = (v: number) => String(Math.round(v * 10) / 10);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${height}`} width="100%" role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13">
        <title safe>{title}</title>
        {series.map((s, i) => {
          const x = 8 + (i % 2) * (W / 2);
          const y = 8 + Math.floor(i / 2) * 20;
          return (
            <g>
              <rect x={String(x)} y={String(y)} width="12" height="12" fill={COLOURS[i % COLOURS.length]!} />
              <text x={String(x + 18)} y={String(y + 11)} safe>
                {clip(s.label, 22)}
              </text>
            </g>
          );
        })}
        <line x1={String(LABEL)} x2={String(LABEL)} y1={String(top + HEAD - 2)} y2={String(height - 4)} stroke="#8c959f" />
        {categories.map((c, i) => {
          const y0 = top + i * rowH;
          return (
            <g>
              <text x={String(LABEL)} y={String(y0 + 11)} font-weight="600" safe>
                {clip(c, 44)}
              </text>
              {stacked
                ? (() => {
                    let x = LABEL;
                    const parts = series.map((s, k) => {
                      const w = scale(s.values[i] ?? 0);
                      const el = <rect x={x.toFixed(1)} y={String(y0 + HEAD)} width={w.toFixed(1)} height={String(BAR)} fill={COLOURS[k % COLOURS.length]!} />;
                      x += w;
                      return el;
                    });
                    return (
                      <>
                        {parts}
                        <text x={(x + 4).toFixed(1)} y={String(y0 + HEAD + BAR - 4)} safe>
                          {fmt(totals[i]!)}
                        </text>
                      </>
                    );
                  })()
                : series.map((s, k) => {
                    const v = s.values[i] ?? 0;
                    const y = y0 + HEAD + k * (BAR - 4);
                    return v === 0 ? (
                      ''
                    ) : (
                      <>
                        <rect x={String(LABEL)} y={String(y)} width={scale(v).toFixed(1)} height={String(BAR - 5)} fill={COLOURS[k % COLOURS.length]!} />
                        <text x={(LABEL + scale(v) + 4).toFixed(1)} y={String(y + BAR - 6)} font-size="12" safe>
                          {fmt(v)}
                        </text>
                      </>
                    );
                  })}
            </g>
          );
        })}
      </svg>
      <figcaption class="muted" safe>
        {chart.unit}
      </figcaption>
    </figure>
  );
}
