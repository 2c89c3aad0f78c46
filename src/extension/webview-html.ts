// The HTML shell of every PreMem webview: a strict Content-Security-Policy (nothing but the extension's own
// bundle, by nonce, and its own styles), so text from datasets and model samples can never run as code.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml } from '../core/report/html-text';

export interface WebviewShell {
  /** Bundle name under media/dist (built from webview/<name>/main.ts). */
  script: string;
  title: string;
  /** Extra stylesheets under media/. */
  styles?: string[];
}

/** Webview options that allow scripts and only the extension's media folder. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, shell: WebviewShell): string {
  const nonce = randomBytes(16).toString('base64');
  const media = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const styles = ['webview.css', ...(shell.styles ?? [])]
    .map((s) => `<link rel="stylesheet" href="${media(s)}" nonce="${nonce}">`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(shell.title)}</title>
  </head>
  <body>
    <div id="app"></div>
    <script nonce="${nonce}" src="${media('dist', `${shell.script}.js`)}"></script>
  </body>
</html>`;
}

