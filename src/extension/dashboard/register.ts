// The dashboard's commands and panel restoration.
import * as vscode from 'vscode';
import type { PreMemServices } from '../services';
import { DashboardPanel } from './panel';
import { registerExportReport } from './report';

export function registerDashboard(services: PreMemServices): vscode.Disposable[] {
  const panel = new DashboardPanel(services);
  return [panel, vscode.commands.registerCommand('premem.showDashboard', () => panel.show()), panel.registerSerializer(), registerExportReport(services)];
}
