/**
 * <zoom-view>: a picture at 1:1 (one image pixel per CSS pixel) by default, with zoom buttons
 * (fit, 1:1, 2×, 4×, 8×; also + and − keys) and panning by dragging or scrolling, so that ×4
 * detail can be judged. It shows `src` itself, or the slotted content (e.g. <before-after>) sized
 * to `naturalWidth` × `naturalHeight` times the zoom. Above 1:1 pixels are drawn as squares.
 * A child that handles its own drags (the before/after divider) stops the pointerdown from
 * reaching the viewer.
 */
import { LitElement, css, html } from 'lit';
import { shared } from './styles.js';

const LEVELS = [1, 2, 4, 8];

export class ZoomView extends LitElement {
  static override properties = {
    src: {},
    alt: {},
    naturalWidth: { type: Number },
    naturalHeight: { type: Number },
    zoom: { state: true },
    fit: { state: true },
  };
  static override styles = [
    shared,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        align-items: center;
        margin: 0 0 0.4rem;
        font-size: 0.9rem;
      }
      .bar button {
        padding: 0.15rem 0.55rem;
      }
      .bar button[aria-pressed='true'] {
        background: #0b57d0;
        color: #fff;
        border-color: #0b57d0;
      }
      .viewport {
        overflow: auto;
        max-height: 75vh;
        max-width: 100%;
        border: 1px solid #d0d4da;
        background: #eef0f3;
        cursor: grab;
        touch-action: none;
      }
      .viewport.dragging {
        cursor: grabbing;
      }
      .canvas {
        position: relative;
        line-height: 0;
      }
      .canvas img,
      ::slotted(*) {
        display: block;
        width: 100%;
        height: 100%;
        max-width: none;
      }
      .pixelated img,
      .pixelated ::slotted(*) {
        image-rendering: pixelated;
      }
    `,
  ];
  src = '';
  alt = '';
  naturalWidth = 0;
  naturalHeight = 0;
  /** Image pixels → CSS pixels. */
  zoom = 1;
  /** Fit the viewport's width (≤ 1:1) instead of a fixed zoom. */
  fit = false;
  private drag?: { x: number; y: number; left: number; top: number };

  private get viewport(): HTMLElement {
    return this.renderRoot.querySelector('.viewport')!;
  }

  /** The zoom actually shown (fit resolves against the viewport's width). */
  get shownZoom(): number {
    if (!this.fit || !this.naturalWidth) return this.zoom;
    return Math.min(1, (this.viewport?.clientWidth ?? this.naturalWidth) / this.naturalWidth);
  }

  /** Zoom to `z`, keeping the point under the viewport's centre where it was. */
  setZoom(z: number | 'fit'): void {
    const vp = this.viewport,
      before = this.shownZoom;
    const cx = (vp.scrollLeft + vp.clientWidth / 2) / before,
      cy = (vp.scrollTop + vp.clientHeight / 2) / before;
    this.fit = z === 'fit';
    if (z !== 'fit') this.zoom = z;
    void this.updateComplete.then(() => {
      const after = this.shownZoom;
      vp.scrollLeft = cx * after - vp.clientWidth / 2;
      vp.scrollTop = cy * after - vp.clientHeight / 2;
    });
  }

  private step(dir: 1 | -1): void {
    const z = this.shownZoom;
    const next = dir > 0 ? LEVELS.find((l) => l > z + 1e-6) : [...LEVELS].reverse().find((l) => l < z - 1e-6);
    if (next) this.setZoom(next);
    else if (dir < 0) this.setZoom('fit');
  }

  private onLoad(e: Event): void {
    const img = e.target as HTMLImageElement;
    this.naturalWidth = img.naturalWidth;
    this.naturalHeight = img.naturalHeight;
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const vp = this.viewport;
    this.drag = { x: e.clientX, y: e.clientY, left: vp.scrollLeft, top: vp.scrollTop };
    vp.setPointerCapture(e.pointerId);
    vp.classList.add('dragging');
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.drag) return;
    const vp = this.viewport;
    vp.scrollLeft = this.drag.left - (e.clientX - this.drag.x);
    vp.scrollTop = this.drag.top - (e.clientY - this.drag.y);
  }

  private onPointerUp(): void {
    this.drag = undefined;
    this.viewport.classList.remove('dragging');
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === '+' || e.key === '=') {
      this.step(1);
      e.preventDefault();
    } else if (e.key === '-') {
      this.step(-1);
      e.preventDefault();
    }
  }

  override render() {
    const z = this.shownZoom;
    const w = this.naturalWidth * z,
      h = this.naturalHeight * z;
    const size = this.naturalWidth ? `width:${w}px;height:${h}px` : '';
    const pressed = (level: number | 'fit') => (level === 'fit' ? this.fit : !this.fit && this.zoom === level);
    return html` <div class="bar" role="group" aria-label="Zoom">
        <span class="muted">Zoom:</span>
        <button type="button" class="zoom-fit" aria-pressed=${pressed('fit')} @click=${() => this.setZoom('fit')}>Fit</button>
        ${LEVELS.map((l) => html`<button type="button" class="zoom-${l}" aria-pressed=${pressed(l)} @click=${() => this.setZoom(l)}>${l === 1 ? '1:1' : `${l}×`}</button>`)}
        <span class="muted zoom-info"
          >${this.naturalWidth ? `${this.naturalWidth}×${this.naturalHeight} px at ${Math.round(z * 100)}%` : ''} · drag to pan</span
        >
      </div>
      <div
        class="viewport"
        tabindex="0"
        aria-label="Zoomable view: drag to pan, + and − to zoom"
        @keydown=${this.onKey}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerUp}
      >
        <div class="canvas ${z > 1 ? 'pixelated' : ''}" style=${size}>
          ${this.src ? html`<img src=${this.src} alt=${this.alt} draggable="false" @load=${this.onLoad} />` : html`<slot></slot>`}
        </div>
      </div>`;
  }
}

customElements.define('zoom-view', ZoomView);
