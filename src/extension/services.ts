// What the parts of the extension share: the open analysis session, the flags of its dataset, the example under
// the cursor. Implemented by SessionManager (session-manager.ts); panels and views depend only on this.
import type * as vscode from 'vscode';
import type { FlagStore } from '../core/flags/flag-store';
import type { AnalysisSession } from '../core/session';

export interface PreMemServices {
  readonly context: vscode.ExtensionContext;
  /** The open dataset with its runs, if any. */
  readonly session: AnalysisSession | undefined;
  /** Flags of the open dataset (stored beside it). */
  readonly flags: FlagStore | undefined;
  /** Fires when a session opens or closes and whenever it changes: p, t, selected run/checkpoint, new results, flags. */
  readonly onDidChange: vscode.Event<void>;
  /** The dataset of the session being opened (indexed, runs read), while one is. */
  readonly openingDataset: string | undefined;
  /** Fires when opening a session starts (true) and when it ends, opened or not (false). */
  readonly onDidChangeLoading: vscode.Event<boolean>;
  /** The dataset example under the cursor of the dataset editor (or selected in a view). */
  readonly currentExample: number | undefined;
  readonly onDidChangeCurrentExample: vscode.Event<number | undefined>;
  /** Makes an example current: reveals its line in the dataset editor (or table) and notifies listeners. */
  revealExample(index: number, options?: { preserveFocus?: boolean; beside?: boolean }): Promise<void>;
  /** The author recorded with flags: the premem.author setting, else git user.name, else the OS user. */
  author(): Promise<string>;
  /** Output channel for diagnostics (input problems with file:line). */
  readonly log: vscode.LogOutputChannel;
}
