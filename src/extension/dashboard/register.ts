// The dashboard's command and panel restoration.
import * as vscode from 'vscode';
import type { PreMemServices } from '../services';
import { DashboardPanel } from './panel';

export function registerDashboard(services: PreMemServices): vscode.Disposable[] {
  const panel = new DashboardPanel(services);
  return [panel, vscode.commands.registerCommand('premem.showDashboard', () => panel.show()), panel.registerSerializer()];
}
