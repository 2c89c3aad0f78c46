// The host side of every PreMem webview panel, one lifecycle for all: create or reveal, restore after a reload,
// load the HTML shell, check each message from the webview with its protocol's guard (logging and dropping the
// rest), and the ready handshake. Webviews are not kept alive while hidden: each keeps its own view state
// (getState/setState) and says 'ready' whenever it (re)loads, and nothing is posted to it before that.
// Replies are matched one way in every protocol: a host message that answers a request repeats the fields that
// name it (the example's index, run and checkpoint; the table's viewId and start; the dashboard's seq), and the
// webview drops an answer that no longer matches what it shows.
import * as vscode from 'vscode';
import type { PreMemServices } from './services';
import { webviewHtml, webviewOptions } from './webview-html';

export interface PanelKind<W> {
  viewType: string;
  /** The feature's name: the bundle media/dist/<name>.js (built from webview/<name>/main.ts) and media/<name>.css. */
  name: string;
  title: string;
  /** The protocol's guard for messages from the webview. */
  isWebviewMessage: (m: unknown) => m is W;
}

/** `H`: the messages the host sends, `W`: those the webview sends (with its 'ready'). */
export abstract class WebviewPanelHost<H, W extends { type: string }> implements vscode.Disposable {
  protected panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private panelSubscriptions: vscode.Disposable[] = [];
  protected readonly subscriptions: vscode.Disposable[] = [];

  protected constructor(
    protected readonly services: PreMemServices,
    private readonly kind: PanelKind<W>,
  ) {}

  /** Acts on a message that passed the guard; 'ready' means the webview (re)loaded and waits for everything. */
  protected abstract handle(message: W): Promise<void>;

  /** Tells the webview that acting on one of its messages failed (already logged). */
  protected abstract showError(message: string): void;

  /** Whether a posted message arrives: the webview said 'ready' since it last loaded, and is visible. */
  protected get live(): boolean {
    return this.panel !== undefined && this.ready && this.panel.visible;
  }

  protected post(message: H): void {
    if (this.live) void this.panel!.webview.postMessage(message);
  }

  /** Reveals the panel, creating it in `column` when there is none. */
  protected reveal(column: vscode.ViewColumn, preserveFocus: boolean): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const { extensionUri } = this.services.context;
    this.adopt(vscode.window.createWebviewPanel(this.kind.viewType, this.kind.title, { viewColumn: column, preserveFocus }, webviewOptions(extensionUri)));
  }

  /** Restores the panel VS Code kept over a reload, with the state its webview saved. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(this.kind.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        this.restoreState(state);
        this.adopt(panel);
      },
    });
  }

  /** Reads what a restored webview saved before it loads again (its message 'ready' follows). */
  protected restoreState(_state: unknown): void {}

  /** Takes a panel of this kind as the one shown, letting go of another. */
  private adopt(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) this.panel.dispose();
    panel.iconPath = vscode.Uri.joinPath(this.services.context.extensionUri, 'media', 'icons', 'premem.svg');
    this.attach(panel);
  }

  /** Loads the webview into `panel` and listens to it (a custom editor's panel comes from VS Code this way). */
  protected attach(panel: vscode.WebviewPanel): void {
    const { extensionUri } = this.services.context;
    this.panel = panel;
    this.ready = false;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { script: this.kind.name, title: this.kind.title, styles: [`${this.kind.name}.css`] });
    for (const d of this.panelSubscriptions) d.dispose();
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; shown again, it loads and says 'ready'.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.detach(panel)),
    ];
  }

  private detach(panel: vscode.WebviewPanel): void {
    if (this.panel !== panel) return;
    this.panel = undefined;
    this.ready = false;
    for (const d of this.panelSubscriptions) d.dispose();
    this.panelSubscriptions = [];
  }

  private receive(raw: unknown): void {
    if (!this.kind.isWebviewMessage(raw)) {
      this.services.log.warn(`${this.kind.title}: ignored a malformed message from the webview: ${describe(raw)}`);
      return;
    }
    if (raw.type === 'ready') this.ready = true;
    this.handle(raw).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      this.services.log.error(`${this.kind.title}: ${raw.type} failed: ${message}`);
      this.showError(message);
    });
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }
}

/** A message as it appears in the log: JSON, cut at 200 characters. */
function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
