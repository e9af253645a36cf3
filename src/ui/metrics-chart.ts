/**
 * <metrics-chart>: held-out PSNR-Y, SSIM-Y and sharpness over the steps for this run, bicubic and
 * the start model, drawn by the same SVG plot module as the CLI's metrics.png (plots.ts). This is
 * what tells a user when to stop.
 */
import { LitElement, html } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { MetricsRow } from '../srgan/report/metrics-log.js';
import { metricsPlotSvg } from '../srgan/report/plots.js';
import { chartBox, shared } from './styles.js';

export class MetricsChart extends LitElement {
  static override properties = { rows: { attribute: false } };
  static override styles = [shared, chartBox];
  rows: MetricsRow[] = [];

  override render() {
    if (!this.rows.length) return html`<p class="muted" id="metrics-empty">The held-out metrics appear with the first grid.</p>`;
    const last = this.rows.at(-1)!;
    const f = (m: { psnr_y: number; ssim_y: number; sharpness: number }) =>
      `PSNR-Y ${m.psnr_y.toFixed(2)} dB, SSIM-Y ${m.ssim_y.toFixed(4)}, sharpness ${m.sharpness.toFixed(3)}`;
    const text = `step ${last.step}: this run ${f(last.model)}; bicubic ${f(last.bicubic)}${last.start ? `; start model ${f(last.start)}` : ''}`;
    return html`<div class="box" id="metrics-chart" data-rows=${this.rows.length} role="img" aria-label="Held-out metrics; ${text}">
        ${unsafeHTML(metricsPlotSvg(this.rows, 'Held-out metrics (faces and a photo crop, ×4)'))}
      </div>
      <p class="muted" id="metrics-latest">${text}</p>`;
  }
}

customElements.define('metrics-chart', MetricsChart);
