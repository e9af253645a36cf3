/** Styles every view shares: colours with AA contrast on white, visible focus, compact controls. */
import { css } from 'lit';

export const shared = css`
  :host {
    display: block;
    color: #1a1a1a;
    font:
      15px/1.45 system-ui,
      -apple-system,
      'Segoe UI',
      sans-serif;
  }
  h2 {
    font-size: 1.15rem;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 1rem;
    margin: 1rem 0 0.5rem;
  }
  button,
  select,
  input,
  label.button {
    font: inherit;
    border-radius: 6px;
    border: 1px solid #8a8f98;
    padding: 0.35rem 0.7rem;
    background: #fff;
    color: #1a1a1a;
  }
  button,
  label.button {
    cursor: pointer;
  }
  button.primary {
    background: #0b57d0;
    border-color: #0b57d0;
    color: #fff;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  :is(button, select, input, a, label.button, [tabindex]):focus-visible {
    outline: 3px solid #e8a317;
    outline-offset: 2px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
  }
  .card {
    border: 1px solid #d0d4da;
    border-radius: 10px;
    padding: 1rem;
    margin: 0 0 1rem;
    background: #fff;
  }
  .muted {
    color: #555b63;
  }
  .error {
    color: #a50e0e;
  }
  .note {
    background: #fff7e0;
    border-left: 4px solid #e8a317;
    padding: 0.5rem 0.75rem;
  }
  progress {
    width: 100%;
    height: 1rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    text-align: right;
    padding: 0.25rem 0.5rem;
    border-bottom: 1px solid #e3e6ea;
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  img {
    max-width: 100%;
    image-rendering: pixelated;
  }
  /* A 390-px phone: controls shrink to their container (a select is as wide as its longest option otherwise), a
     fieldset too (its default min-width is its content's), and long words and file names wrap. */
  select,
  input:not([type='checkbox']):not([type='radio']) {
    max-width: 100%;
    min-width: 0;
  }
  fieldset {
    min-width: 0;
  }
  p,
  li,
  label,
  summary {
    overflow-wrap: anywhere;
  }
  /* Tables wider than a phone scroll inside their card instead of widening the page (cells never break a number). */
  .scroll-x {
    overflow-x: auto;
    max-width: 100%;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Trigger a browser download of `blob` as `name`. */
/** An SVG chart filling its box up to 900 px (the loss and metrics charts). */
export const chartBox = css`
  .box svg {
    width: 100%;
    height: auto;
    max-width: 900px;
    display: block;
  }
`;

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
