/**
 * <profile-table>: per-kernel GPU time, sortable by any column (click or Enter on a header; the
 * header's aria-sort says the order), with a share column and a totals row.
 */
import { LitElement, html } from 'lit';
import type { ProfileRow } from '../engine/index.js';
import { shared } from './styles.js';

type Key = 'kernel' | 'calls' | 'totalMs' | 'meanMs' | 'share' | 'rate';
const COLUMNS: [Key, string][] = [
  ['kernel', 'Kernel'],
  ['calls', 'Calls'],
  ['totalMs', 'Total ms'],
  ['meanMs', 'Mean ms'],
  ['share', 'Share'],
  ['rate', 'Rate'],
];

const rateOf = (r: ProfileRow) => r.gflops ?? r.gbps ?? -1;
const rateText = (r: ProfileRow) =>
  r.gflops !== undefined ? `${r.gflops.toPrecision(3)} GFLOPS` : r.gbps !== undefined ? `${r.gbps.toPrecision(3)} GB/s` : '—';

export class ProfileTable extends LitElement {
  static override properties = { rows: { attribute: false }, sortKey: { state: true }, descending: { state: true } };
  static override styles = [shared];
  rows: ProfileRow[] = [];
  sortKey: Key = 'totalMs';
  descending = true;

  private sortBy(key: Key): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'kernel';
    }
  }

  private sorted(total: number): ProfileRow[] {
    const value = (r: ProfileRow): number | string =>
      this.sortKey === 'kernel' ? r.kernel : this.sortKey === 'share' ? r.totalMs / total : this.sortKey === 'rate' ? rateOf(r) : r[this.sortKey];
    const sign = this.descending ? -1 : 1;
    return [...this.rows].sort((a, b) => {
      const va = value(a),
        vb = value(b);
      return sign * (typeof va === 'string' ? va.localeCompare(vb as string) : va - (vb as number));
    });
  }

  override render() {
    const total = this.rows.reduce((s, r) => s + r.totalMs, 0) || 1;
    const calls = this.rows.reduce((s, r) => s + r.calls, 0);
    // On a phone the six columns scroll inside the card rather than widen the page.
    return html`<div class="scroll-x">
      <table id="profile-table">
        <caption class="visually-hidden">
          GPU time per kernel; select a column header to sort
        </caption>
        <thead>
          <tr>
            ${COLUMNS.map(
              ([k, label]) =>
                html` <th scope="col" aria-sort=${this.sortKey === k ? (this.descending ? 'descending' : 'ascending') : 'none'}>
                  <button class="sort" data-key=${k} @click=${() => this.sortBy(k)} style="border:none;background:none;padding:0;font-weight:600">
                    ${label}${this.sortKey === k ? (this.descending ? ' ▼' : ' ▲') : ''}
                  </button>
                </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${this.sorted(total).map(
            (r) =>
              html`<tr>
                <td>${r.kernel}</td>
                <td>${r.calls}</td>
                <td>${r.totalMs.toFixed(3)}</td>
                <td>${r.meanMs.toFixed(4)}</td>
                <td>${((100 * r.totalMs) / total).toFixed(1)} %</td>
                <td>${rateText(r)}</td>
              </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total (${this.rows.length} kernels)</th>
            <td>${calls}</td>
            <td id="profile-total">${total.toFixed(3)}</td>
            <td></td>
            <td>100 %</td>
            <td></td>
          </tr>
        </tfoot>
      </table>
    </div>`;
  }
}

customElements.define('profile-table', ProfileTable);
