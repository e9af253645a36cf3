/**
 * <before-after>: two images of the same size stacked; a divider reveals the "after" image from
 * the left up to its position. The divider is the handle: its line, its knob and the position
 * are one element placed at the same x, so they cannot drift apart (a range input's thumb
 * travels inside the track's padding and never lines up with an image edge). Drag the divider,
 * or focus it and use the arrow keys (Shift: 10 % steps, Home/End). Meant to sit in a
 * <zoom-view>: it fills its container, and a drag on the divider is not a pan.
 */
import { LitElement, css, html } from 'lit';
import { shared } from './styles.js';

export class BeforeAfter extends LitElement {
  static override properties = { beforeSrc: {}, afterSrc: {}, beforeLabel: {}, afterLabel: {}, position: { type: Number } };
  static override styles = [
    shared,
    css`
      :host {
        width: 100%;
        height: 100%;
      }
      .stack {
        position: relative;
        width: 100%;
        height: 100%;
        line-height: 0;
      }
      .stack img {
        display: block;
        width: 100%;
        height: 100%;
        max-width: none;
        image-rendering: inherit;
      }
      .after {
        position: absolute;
        inset: 0;
      }
      .divider {
        position: absolute;
        top: 0;
        bottom: 0;
        width: 24px;
        margin-left: -12px;
        cursor: ew-resize;
        touch-action: none;
      }
      .divider::before {
        content: '';
        position: absolute;
        top: 0;
        bottom: 0;
        left: 11px;
        width: 2px;
        background: #e8a317;
      }
      .knob {
        position: absolute;
        left: 2px;
        top: calc(50% - 10px);
        width: 16px;
        height: 16px;
        border-radius: 50%;
        background: #e8a317;
        border: 2px solid #fff;
        box-shadow: 0 0 2px #000a;
      }
      /* The focus ring goes on the knob: on the 24-px hit area it would look like two more dividers. */
      .divider:focus-visible {
        outline: none;
      }
      .divider:focus-visible .knob {
        outline: 3px solid #0b57d0;
        outline-offset: 1px;
      }
      .tag {
        position: absolute;
        top: 0.4rem;
        background: #000b;
        color: #fff;
        font-size: 0.8rem;
        line-height: 1.2;
        padding: 0.15rem 0.4rem;
        border-radius: 4px;
        pointer-events: none;
      }
    `,
  ];
  beforeSrc = '';
  afterSrc = '';
  beforeLabel = 'before';
  afterLabel = 'after';
  /** Percent of the width showing the "after" image. */
  position = 50;
  private dragging = false;

  private setFromPointer(e: PointerEvent): void {
    const r = this.renderRoot.querySelector('.stack')!.getBoundingClientRect();
    this.position = Math.round(Math.min(100, Math.max(0, ((e.clientX - r.left) / r.width) * 100)) * 10) / 10;
  }

  private onDown(e: PointerEvent): void {
    e.stopPropagation(); // not a pan of the surrounding zoom view
    e.preventDefault();
    this.dragging = true;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
  }

  private onMove(e: PointerEvent): void {
    if (this.dragging) this.setFromPointer(e);
  }

  private onKey(e: KeyboardEvent): void {
    const step = e.shiftKey ? 10 : 1;
    const next = { ArrowLeft: this.position - step, ArrowRight: this.position + step, Home: 0, End: 100 }[e.key];
    if (next === undefined) return;
    this.position = Math.min(100, Math.max(0, next));
    e.preventDefault();
  }

  override render() {
    return html` <div class="stack">
      <img src=${this.beforeSrc} alt=${this.beforeLabel} draggable="false" />
      <img class="after" src=${this.afterSrc} alt=${this.afterLabel} draggable="false" style="clip-path: inset(0 ${100 - this.position}% 0 0)" />
      <span class="tag" style="left: 0.4rem">${this.afterLabel}</span>
      <span class="tag" style="right: 0.4rem">${this.beforeLabel}</span>
      <div
        class="divider"
        id="divider"
        style="left: ${this.position}%"
        role="slider"
        tabindex="0"
        aria-label="Compare: ${this.afterLabel} left, ${this.beforeLabel} right"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${this.position}
        aria-valuetext="${this.position}% ${this.afterLabel}"
        @pointerdown=${this.onDown}
        @pointermove=${this.onMove}
        @pointerup=${() => {
          this.dragging = false;
        }}
        @pointercancel=${() => {
          this.dragging = false;
        }}
        @keydown=${this.onKey}
      >
        <span class="knob"></span>
      </div>
    </div>`;
  }
}

customElements.define('before-after', BeforeAfter);
