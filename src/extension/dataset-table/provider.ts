// The "PreMem Dataset" custom editor: a read-only, virtually scrolled table for datasets too large for the
// text editor. One TableDocument per file (shared by the editors on it), one TableEditor per panel.
import * as vscode from 'vscode';
import type { PreMemServices } from '../services';
import { TableDocument } from './document';
import { TableEditor } from './editor';

export class DatasetTableProvider implements vscode.CustomReadonlyEditorProvider<TableDocument> {
  constructor(private readonly services: PreMemServices) {}

  openCustomDocument(uri: vscode.Uri): TableDocument {
    if (uri.scheme !== 'file') throw new Error(`PreMem Dataset opens files on disk only, not ${uri.scheme}: resources`);
    return new TableDocument(uri, this.services);
  }

  resolveCustomEditor(document: TableDocument, panel: vscode.WebviewPanel): void {
    const editor = new TableEditor(document, panel, this.services);
    panel.onDidDispose(() => editor.dispose());
  }
}
