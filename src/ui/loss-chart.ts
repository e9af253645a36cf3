/**
 * <loss-chart>: the losses as training goes (chart.js). G content on a log axis on the left; the
 * adversarial loss and D's real/fake losses (BCE, around ln 2 at balance) on a linear axis on the
 * right. Points are appended, not redrawn from scratch, so a long run stays cheap to draw.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';
import type { StepLog } from '../srgan/train/trainer.js';
import { shared } from './styles.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip);

const SERIES: [keyof StepLog, string, string, 'y' | 'y1'][] = [
  ['g_content', 'G content', '#0b57d0', 'y'],
  ['g_adv', 'G adversarial', '#b3261e', 'y1'],
  ['d_real', 'D real', '#1e7d32', 'y1'],
  ['d_fake', 'D fake', '#8e24aa', 'y1'],
];

export class LossChart extends LitElement {
  static override properties = { logs: { attribute: false } };
  static override styles = [shared, css`.box { position: relative; height: 260px; }`];
  logs: StepLog[] = [];
  private chart?: Chart;
  private drawn = 0;

  override firstUpdated(): void {
    const canvas = this.renderRoot.querySelector('canvas')!;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { labels: [], datasets: SERIES.map(([, label, color, axis]) => ({ label, data: [], borderColor: color, backgroundColor: color, yAxisID: axis, pointRadius: 0, borderWidth: 1.5, spanGaps: true })) },
      options: {
        animation: false, maintainAspectRatio: false, responsive: true, interaction: { mode: 'index', intersect: false },
        scales: {
          x: { title: { display: true, text: 'step' } },
          y: { type: 'logarithmic', position: 'left', title: { display: true, text: 'G content' } },
          y1: { type: 'linear', position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'adversarial / D (BCE)' } },
        },
      },
    });
  }

  override updated(changed: PropertyValues<this>): void {
    if (!changed.has('logs') || !this.chart) return;
    const c = this.chart;
    // A resumed or restarted run can rewrite history: redraw from scratch when the log shrank.
    if (this.logs.length < this.drawn || (this.drawn && c.data.labels![this.drawn - 1] !== this.logs[this.drawn - 1]?.step)) {
      c.data.labels = [];
      for (const d of c.data.datasets) d.data = [];
      this.drawn = 0;
    }
    for (const l of this.logs.slice(this.drawn)) {
      c.data.labels!.push(l.step);
      SERIES.forEach(([k], i) => c.data.datasets[i].data.push(Number.isFinite(l[k] as number) ? (l[k] as number) : null));
    }
    this.drawn = this.logs.length;
    c.update('none');
    this.renderRoot.querySelector('.box')!.setAttribute('data-points', String(this.drawn));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = undefined;
  }

  override render() {
    const last = this.logs.at(-1);
    const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(4));
    const text = last ? `step ${last.step}: G content ${fmt(last.g_content)}, G adversarial ${fmt(last.g_adv)}, D real ${fmt(last.d_real)}, D fake ${fmt(last.d_fake)}` : 'no steps yet';
    return html`<div class="box" id="loss-chart" data-points="0"><canvas role="img" aria-label="Loss chart; latest: ${text}"></canvas></div>
      <p class="muted" id="loss-latest">${text}</p>`;
  }
}

customElements.define('loss-chart', LossChart);
