/**
 * A one-line progress display for long operations on an interactive
 * terminal, redrawn in place with a carriage return.
 *
 * @module
 */

/** Minimum time between two redraws, in ms. */
const REDRAW_INTERVAL_MS = 100;

/** Draws `label  NN%` on one terminal line until finished. */
export class ProgressLine {
  readonly #label: string;
  readonly #write: (text: string) => void;
  readonly #color: boolean;
  #lastDraw = -Infinity;
  #lastPercent = -1;

  /**
   * @param label Text before the percentage, such as `Formatting pgdata`.
   * @param write Writes to the terminal.
   * @param color Whether ANSI colors may be used (`NO_COLOR` unset).
   */
  constructor(label: string, write: (text: string) => void, color: boolean) {
    this.#label = label;
    this.#write = write;
    this.#color = color;
  }

  /** Redraws the line, at most every 100 ms and always at 100 %. */
  update(done: number, total: number): void {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    const now = performance.now();
    if (percent === this.#lastPercent) return;
    if (percent < 100 && now - this.#lastDraw < REDRAW_INTERVAL_MS) return;
    this.#lastDraw = now;
    this.#lastPercent = percent;
    const figure = `${String(percent).padStart(3)}%`;
    const text = this.#color ? `\x1b[36m${figure}\x1b[0m` : figure;
    this.#write(`\r${this.#label} ${text}`);
  }

  /** Erases the line, so that the next output starts at column 0. */
  finish(): void {
    if (this.#lastPercent < 0) return;
    this.#write(
      this.#color ? "\r\x1b[2K" : `\r${" ".repeat(this.#label.length + 5)}\r`,
    );
    this.#lastPercent = -1;
  }
}
