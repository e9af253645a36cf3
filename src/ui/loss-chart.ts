/**
 * <loss-chart>: the losses as training goes, drawn by the same SVG plot module as the CLI's
 * loss.png (src/srgan/report/plots.ts): thin raw lines under a moving average whose factor the
 * legend states, round step ticks, the start of the GAN phase marked, and the adversarial/D panel
 * only once there are GAN steps.
 */
import { LitElement, html } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { lossPlotSvg } from '../srgan/report/plots.js';
import type { StepLog } from '../srgan/train/trainer.js';
import { chartBox, shared } from './styles.js';

const DRAW_MS = 500;

export class LossChart extends LitElement {
  static override properties = { logs: { attribute: false }, ganStart: { type: Number } };
  static override styles = [shared, chartBox];
  logs: StepLog[] = [];
  /** The step after which the GAN phase starts (the run's phase1Steps), when known. */
  ganStart?: number;
  private lastDraw = 0;
  private pending?: ReturnType<typeof setTimeout>;

  /**
   * Redraw at most every DRAW_MS: fast steps would otherwise rebuild the whole SVG many times a
   * second on the page's main thread. A skipped update is drawn when the interval has passed.
   */
  protected override shouldUpdate(): boolean {
    const wait = this.lastDraw + DRAW_MS - performance.now();
    if (wait <= 0 || !this.logs.length) {
      this.lastDraw = performance.now();
      return true;
    }
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.requestUpdate();
    }, wait);
    return false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.pending);
    this.pending = undefined;
  }

  override render() {
    const last = this.logs.at(-1);
    const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(4));
    const text = last
      ? `step ${last.step}: G content ${fmt(last.g_content)}, G adversarial ${fmt(last.g_adv)}, D real ${fmt(last.d_real)}, D fake ${fmt(last.d_fake)}`
      : 'no steps yet';
    const svg = this.logs.length ? lossPlotSvg(this.logs, 'Training losses', { ganStart: this.ganStart }) : '';
    return html`<div class="box" id="loss-chart" data-points=${this.logs.length} role="img" aria-label="Loss chart; latest: ${text}">
        ${unsafeHTML(svg)}
      </div>
      <p class="muted" id="loss-latest">${text}</p>`;
  }
}

customElements.define('loss-chart', LossChart);
