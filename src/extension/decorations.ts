// Marks on the dataset's records: a gutter icon and an overview-ruler mark per bucket, a flag variant of each,
// and an optional end-of-line annotation. The decoration types are created once; only the visible lines plus a
// margin are decorated, again when the view scrolls near the edge of what is decorated or the session changes.
import * as vscode from 'vscode';
import { Bucket, BUCKET_NAMES, type RunView } from '../core/session';
import { fixed2 } from './format';
import { indicesInLines } from './line-map';
import type { SessionManager } from './session-manager';

const BUCKET_COLORS = ['premem.notScored', 'premem.fragile', 'premem.atRisk', 'premem.robust'];
const SCROLL_DEBOUNCE_MS = 40;
const EDIT_DEBOUNCE_MS = 150;

interface Decorated {
  from: number;
  to: number;
  generation: number;
  version: number;
}

export class DatasetDecorations implements vscode.Disposable {
  private readonly plain: vscode.TextEditorDecorationType[];
  private readonly flagged: vscode.TextEditorDecorationType[];
  private readonly annotation: vscode.TextEditorDecorationType;
  private readonly decorated = new WeakMap<vscode.TextEditor, Decorated>();
  private readonly timers = new Map<vscode.TextEditor, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Bumped on every session change: what was decorated before is outdated. */
  private generation = 0;
  private readonly hadMarks = new WeakSet<vscode.TextEditor>();

  constructor(
    private readonly manager: SessionManager,
    extensionUri: vscode.Uri,
  ) {
    const icon = (name: string) => vscode.Uri.joinPath(extensionUri, 'media', 'icons', `${name}.svg`);
    const bucketType = (bucket: number, flag: boolean) => {
      const name = `${BUCKET_NAMES[bucket]}${flag ? '-flagged' : ''}`;
      // Not whole-line: a wrapped record gets one icon, on its first view line.
      return vscode.window.createTextEditorDecorationType({
        gutterIconSize: 'contain',
        overviewRulerColor: new vscode.ThemeColor(BUCKET_COLORS[bucket]),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        light: { gutterIconPath: icon(`${name}-light`) },
        dark: { gutterIconPath: icon(`${name}-dark`) },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
    };
    this.plain = [0, 1, 2, 3].map((b) => bucketType(b, false));
    this.flagged = [0, 1, 2, 3].map((b) => bucketType(b, true));
    this.annotation = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('premem.annotationForeground'), margin: '0 0 0 3em', fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.disposables.push(
      ...this.plain,
      ...this.flagged,
      this.annotation,
      manager.onDidChange(() => {
        this.generation++;
        this.updateAll();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.updateAll()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.schedule(e.textEditor, SCROLL_DEBOUNCE_MS, true)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || !manager.isDatasetDocument(e.document)) return;
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === e.document) this.schedule(editor, EDIT_DEBOUNCE_MS, false);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('premem.annotations.enabled') || e.affectsConfiguration('premem.decorations.margin')) {
          this.generation++;
          this.updateAll();
        }
      }),
    );
    this.updateAll();
  }

  updateAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.update(editor, false);
  }

  /** Decorates the visible lines of one editor plus the margin; when `onlyIfNeeded`, skips if that is already done. */
  update(editor: vscode.TextEditor, onlyIfNeeded: boolean): void {
    const manager = this.manager;
    const session = manager.session;
    const view = session?.view();
    if (!session || !view || !manager.isDatasetDocument(editor.document)) {
      if (this.hadMarks.has(editor)) this.clear(editor);
      return;
    }
    const document = editor.document;
    const visible = editor.visibleRanges;
    if (visible.length === 0) return;
    const config = vscode.workspace.getConfiguration('premem');
    const margin = Math.max(0, config.get<number>('decorations.margin', 200));
    const firstVisible = visible[0].start.line;
    const lastVisible = visible[visible.length - 1].end.line;
    const done = this.decorated.get(editor);
    if (
      onlyIfNeeded &&
      done &&
      done.generation === this.generation &&
      done.version === document.version &&
      // Keep a quarter of the margin in reserve so a fast scroll never reaches undecorated lines.
      (done.from <= Math.max(0, firstVisible - margin / 4) || done.from === 0) &&
      (done.to >= Math.min(document.lineCount - 1, lastVisible + margin / 4))
    ) {
      return;
    }
    const started = performance.now();
    const from = Math.max(0, firstVisible - margin);
    const to = Math.min(document.lineCount - 1, lastVisible + margin);
    const annotate = config.get<boolean>('annotations.enabled', true);
    const plain: vscode.Range[][] = [[], [], [], []];
    const flagged: vscode.Range[][] = [[], [], [], []];
    const notes: vscode.DecorationOptions[] = [];
    const flags = manager.flags;
    const keys = session.dataset.keys;
    const mark = (index: number, line0: number) => {
      const bucket = view.member[index] ? view.buckets[index] : Bucket.NotScored;
      const isFlagged = flags?.state(keys[index]) !== undefined;
      const range = new vscode.Range(line0, 0, line0, 0);
      (isFlagged ? flagged : plain)[bucket].push(range);
      if (annotate) {
        const end = document.lineAt(line0).range.end;
        notes.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: annotationText(session.selectedCheckpoint, view, index, isFlagged) } } });
      }
    };
    if (manager.linesMatchIndex(document)) {
      const { first, end } = indicesInLines(session.dataset, from, to);
      const lines = session.dataset.lines;
      for (let i = first; i < end; i++) mark(i, lines[i] - 1);
    } else {
      // Edited since indexing: only lines whose content is a known record are marked, by key.
      for (let line = from; line <= to; line++) {
        const index = manager.indexAtLine(document, line);
        if (index !== undefined) mark(index, line);
      }
    }
    for (let b = 0; b < 4; b++) {
      editor.setDecorations(this.plain[b], plain[b]);
      editor.setDecorations(this.flagged[b], flagged[b]);
    }
    editor.setDecorations(this.annotation, notes);
    this.decorated.set(editor, { from, to, generation: this.generation, version: document.version });
    this.hadMarks.add(editor);
    const count = plain.reduce((s, r) => s + r.length, 0) + flagged.reduce((s, r) => s + r.length, 0);
    manager.log.debug(`decorated ${count} records on lines ${from + 1}-${to + 1} in ${(performance.now() - started).toFixed(2)} ms`);
    manager.noteMarksVisible(count);
  }

  private schedule(editor: vscode.TextEditor, delay: number, onlyIfNeeded: boolean): void {
    clearTimeout(this.timers.get(editor));
    this.timers.set(
      editor,
      setTimeout(() => {
        this.timers.delete(editor);
        this.update(editor, onlyIfNeeded);
      }, delay),
    );
  }

  private clear(editor: vscode.TextEditor): void {
    for (const type of [...this.plain, ...this.flagged, this.annotation]) editor.setDecorations(type, []);
    this.decorated.delete(editor);
    this.hadMarks.delete(editor);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

/** `premem 0.25 · acc 1.00 · memorized at checkpoint-116`, from the view's arrays (no per-hover report is built). */
export function annotationText(checkpoint: number, view: RunView, index: number, flagged: boolean): string {
  const parts: string[] = [];
  if (flagged) parts.push('⚑ flagged');
  if (!view.member[index]) {
    parts.push('not in this run’s training subset');
    return parts.join(' · ');
  }
  const preMem = view.preMem[checkpoint]?.[index] ?? NaN;
  if (Number.isNaN(preMem)) {
    parts.push('premem not scored');
    return parts.join(' · ');
  }
  parts.push(`premem ${fixed2(preMem)}`, `acc ${fixed2(view.run.checkpoints[checkpoint].accuracy[index])}`);
  const first = view.dynamics.firstMemorized[index];
  parts.push(first >= 0 && first <= checkpoint ? `memorized at ${view.run.checkpoints[first].id}` : 'not memorized');
  return parts.join(' · ');
}
