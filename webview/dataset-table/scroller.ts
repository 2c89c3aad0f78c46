// A virtually scrolled list of fixed-height rows for any number of rows: only the visible rows (plus overscan)
// exist as elements, reused as the view moves; beyond the browser's element height limit the scroll position
// is scaled (see src/core/table/scroll.ts). Keyboard: arrows, Page Up/Down, Home/End, Enter.
import {
  type ScrollGeometry, maxVirtualTop, rowAtPoint, rowsPerPage, scrollTopFor, spacerHeight, virtualTopAt, virtualTopToReveal, visibleRows,
} from '../../src/core/table/scroll';

export const ROW_HEIGHT = 22;
/** Rows rendered beyond each edge of the viewport (so a small scroll shows rows already laid out)… */
const RENDER_OVERSCAN = 4;
/** …and rows asked of the host beyond each edge. */
const OVERSCAN = 20;
/** While the scrollbar is dragged, windows are asked for at most this often… */
const REQUEST_THROTTLE_MS = 120;
/** …and once more when scrolling has paused this long. */
const REQUEST_DEBOUNCE_MS = 40;

export interface ScrollerHost {
  /** Fills a reused row element for `row` (its data may not have arrived yet). */
  renderRow(element: HTMLElement, row: number): void;
  /** Whether the data of `row` is at hand. */
  hasRow(row: number): boolean;
  /** Asks for the data of rows [start, end). */
  requestRows(start: number, end: number): void;
  /** The selection moved; `open` when a row was clicked or Enter pressed. */
  selectionChanged(row: number, open: boolean): void;
  /** The view scrolled (to save the position). */
  scrolled(firstRow: number): void;
  createRow(): HTMLElement;
}

export class VirtualScroller {
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly pool: HTMLElement[] = [];
  private rowCount = 0;
  private virtualTop = 0;
  /** The scrollTop this code last set: scroll events that report it (give or take rounding) keep virtualTop exact. */
  private expectedScrollTop: number | undefined;
  private selectedRow = -1;
  private lastRequest = 0;
  private requestTimer: number | undefined;
  private frame: number | undefined;
  private lastViewportHeight: number | undefined;

  constructor(private readonly host: ScrollerHost) {
    this.element = document.createElement('div');
    this.element.className = 'scroller';
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'grid');
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.layer = document.createElement('div');
    this.layer.className = 'rows';
    this.spacer.appendChild(this.layer);
    this.element.appendChild(this.spacer);
    this.element.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.layer.addEventListener('click', (e) => this.onClick(e));
    new ResizeObserver(() => this.layout()).observe(this.element);
  }

  get selection(): number {
    return this.selectedRow;
  }

  get firstVisibleRow(): number {
    return this.rowCount ? rowAtPoint(this.virtualTop, 0, this.geometry()) : 0;
  }

  private geometry(): ScrollGeometry {
    return { rowCount: this.rowCount, rowHeight: ROW_HEIGHT, viewportHeight: this.element.clientHeight };
  }

  /** A new view: `keepPosition` keeps the scroll position (same rows, new numbers), else it goes to the top. */
  setRowCount(rowCount: number, keepPosition: boolean): void {
    this.rowCount = rowCount;
    this.element.setAttribute('aria-rowcount', String(rowCount + 1)); // with the header row
    if (!keepPosition) {
      this.virtualTop = 0;
      this.selectedRow = -1;
    }
    if (this.selectedRow >= rowCount) this.selectedRow = -1;
    this.layout();
  }

  /** Re-renders the visible rows (after data arrived). */
  refresh(): void {
    this.schedule();
  }

  /** Scrolls so `row` is visible: the least movement, or row at the top / centre. */
  reveal(row: number, align: 'nearest' | 'top' | 'center' = 'nearest'): void {
    if (this.rowCount === 0) return;
    const g = this.geometry();
    this.setVirtualTop(virtualTopToReveal(row, this.virtualTop, g, align));
  }

  select(row: number, options: { open?: boolean; notify?: boolean; align?: 'nearest' | 'top' | 'center' } = {}): void {
    if (this.rowCount === 0) return;
    const r = Math.max(0, Math.min(this.rowCount - 1, row));
    this.selectedRow = r;
    this.reveal(r, options.align ?? 'nearest');
    this.schedule();
    if (options.notify !== false) this.host.selectionChanged(r, options.open ?? false);
  }

  private setVirtualTop(top: number): void {
    const g = this.geometry();
    this.virtualTop = Math.max(0, Math.min(top, maxVirtualTop(g)));
    const scrollTop = scrollTopFor(this.virtualTop, g);
    this.expectedScrollTop = scrollTop;
    this.element.scrollTop = scrollTop;
    this.schedule();
  }

  private layout(): void {
    const g = this.geometry();
    // A resize (the window, or a pane beside the table) keeps the selected row in sight when it was.
    const previous = this.lastViewportHeight;
    this.lastViewportHeight = g.viewportHeight;
    if (previous !== undefined && previous !== g.viewportHeight && this.selectedRow >= 0) {
      const rowTop = this.selectedRow * ROW_HEIGHT;
      const wasVisible = rowTop >= this.virtualTop && rowTop + ROW_HEIGHT <= this.virtualTop + previous;
      if (wasVisible) this.virtualTop = virtualTopToReveal(this.selectedRow, this.virtualTop, g);
    }
    this.spacer.style.height = `${Math.max(spacerHeight(g), g.viewportHeight)}px`;
    this.virtualTop = Math.min(this.virtualTop, maxVirtualTop(g));
    const scrollTop = scrollTopFor(this.virtualTop, g);
    this.expectedScrollTop = scrollTop;
    this.element.scrollTop = scrollTop;
    this.render();
  }

  private onScroll(): void {
    const actual = this.element.scrollTop;
    // Our own scroll lands within a pixel of what was asked; anything else is the user's.
    if (this.expectedScrollTop === undefined || Math.abs(actual - this.expectedScrollTop) > 1) {
      this.virtualTop = virtualTopAt(actual, this.geometry());
    }
    this.expectedScrollTop = undefined;
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  private render(): void {
    const g = this.geometry();
    const rows = visibleRows(this.virtualTop, g, RENDER_OVERSCAN);
    const count = rows.end - rows.start;
    while (this.pool.length < count) {
      const row = this.host.createRow();
      row.style.height = `${ROW_HEIGHT}px`;
      this.pool.push(row);
      this.layer.appendChild(row);
    }
    // The layer sits at the top of the viewport; rows are placed inside it relative to the virtual position.
    this.layer.style.transform = `translateY(${this.element.scrollTop}px)`;
    this.layer.style.height = `${g.viewportHeight}px`;
    for (let k = 0; k < this.pool.length; k++) {
      const element = this.pool[k];
      if (k >= count) {
        element.hidden = true;
        continue;
      }
      const row = rows.start + k;
      element.hidden = false;
      element.style.transform = `translateY(${rows.startTop + k * ROW_HEIGHT}px)`;
      element.dataset.row = String(row);
      element.setAttribute('aria-rowindex', String(row + 2)); // the header is row 1
      element.setAttribute('aria-selected', String(row === this.selectedRow));
      element.classList.toggle('selected', row === this.selectedRow);
      this.host.renderRow(element, row);
    }
    this.host.scrolled(this.firstVisibleRow);
    this.requestMissing(rows.start, rows.end);
  }

  /** Asks for the visible rows plus overscan when any is missing: throttled while dragging, then once at rest. */
  private requestMissing(start: number, end: number): void {
    let missing = false;
    for (let r = start; r < end && !missing; r++) missing = !this.host.hasRow(r);
    if (!missing) return;
    const ask = () => {
      this.requestTimer = undefined;
      this.lastRequest = performance.now();
      const g = this.geometry();
      const now = visibleRows(this.virtualTop, g, OVERSCAN);
      this.host.requestRows(now.start, now.end);
    };
    window.clearTimeout(this.requestTimer);
    if (performance.now() - this.lastRequest >= REQUEST_THROTTLE_MS) ask();
    else this.requestTimer = window.setTimeout(ask, REQUEST_DEBOUNCE_MS);
  }

  private onClick(e: MouseEvent): void {
    const rowElement = (e.target as HTMLElement).closest<HTMLElement>('[data-row]');
    if (!rowElement) return;
    this.element.focus({ preventScroll: true });
    this.select(Number(rowElement.dataset.row), { open: true });
  }

  private onKey(e: KeyboardEvent): void {
    if (this.rowCount === 0) return;
    const page = rowsPerPage(this.geometry());
    const current = this.selectedRow < 0 ? this.firstVisibleRow : this.selectedRow;
    const moves: Record<string, number> = {
      ArrowDown: current + (this.selectedRow < 0 ? 0 : 1),
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: this.rowCount - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      this.select(moves[e.key]);
    } else if (e.key === 'Enter' && this.selectedRow >= 0) {
      e.preventDefault();
      this.host.selectionChanged(this.selectedRow, true);
    }
  }
}
