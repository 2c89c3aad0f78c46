// The example panel and its command, premem.showExample [index].
import * as vscode from 'vscode';
import { exampleIndexFromArgument } from '../example-argument';
import type { PreMemServices } from '../services';
import { ExamplePanel } from './panel';

export function registerExamplePanel(services: PreMemServices): vscode.Disposable[] {
  const panel = new ExamplePanel(services);
  return [
    panel,
    vscode.commands.registerCommand('premem.showExample', (arg?: unknown) => {
      if (!services.session) {
        void vscode.window.showInformationMessage('PreMem: open a dataset with its runs first.');
        return;
      }
      const index = exampleIndexFromArgument(services, arg);
      if (index !== undefined && index !== services.currentExample) void services.revealExample(index, { preserveFocus: true });
      panel.show(index);
    }),
    panel.registerSerializer(),
  ];
}
