// Reads the premem.json a scoring command works from, fresh from disk (its "scoring" section may have been
// edited since the session opened), with the user's settings applied over it.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, readConfig, type PreMemConfig } from '../../core/config';
import type { GradingTask } from '../../core/model';
import { parseScoringConfig, type ScoringConfig } from '../../core/scoring/config';
import type { PreMemServices } from '../services';

export interface ScoringSetup {
  file: string;
  config: PreMemConfig;
  scoring: ScoringConfig;
}

/** premem.json of the open session, else the first workspace folder's; undefined when there is none. */
export async function configFile(services: PreMemServices): Promise<string | undefined> {
  const own = services.session?.config.file;
  if (own) return own;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const file = path.join(folder.uri.fsPath, CONFIG_FILE);
    if ((await stat(file).catch(() => undefined))?.isFile()) return file;
  }
  return undefined;
}

const GUIDE = 'Open Scoring Guide';

/** docs/scoring.md as packaged with the extension, which the messages above point to. */
function openScoringGuide(services: PreMemServices): void {
  void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(services.context.extensionUri, 'docs', 'scoring.md'));
}

/** The scoring setup, or an error shown to the user (with a way to the file) and undefined. */
export async function loadScoringSetup(services: PreMemServices, task: GradingTask): Promise<ScoringSetup | undefined> {
  const file = await configFile(services);
  if (!file) {
    void vscode.window
      .showErrorMessage(
        'PreMem: scoring reads its servers from the "scoring" section of premem.json, and this workspace has none. ' +
          'Add a premem.json with "dataset", "runs" and "scoring" (see docs/scoring.md).',
        GUIDE,
      )
      .then((choice) => choice && openScoringGuide(services));
    return undefined;
  }
  try {
    const config = await readConfig(file);
    return { file, config, scoring: withSettings(parseScoringConfig(config.scoring, task, file)) };
  } catch (err) {
    const message = (err as Error).message;
    services.log.error(message);
    const open = 'Open premem.json';
    const actions = message.includes('docs/scoring.md') ? [open, GUIDE] : [open];
    void vscode.window.showErrorMessage(`PreMem: ${message}`, ...actions).then((choice) => {
      if (choice === open) void vscode.window.showTextDocument(vscode.Uri.file(file));
      else if (choice === GUIDE) openScoringGuide(services);
    });
    return undefined;
  }
}

/** premem.scoring.concurrency, when the user set it, overrides the file's value. */
function withSettings(scoring: ScoringConfig): ScoringConfig {
  const inspected = vscode.workspace.getConfiguration('premem.scoring').inspect<number>('concurrency');
  const set = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  if (typeof set !== 'number' || !Number.isFinite(set) || set < 1) return scoring;
  return { ...scoring, concurrency: Math.floor(set) };
}
