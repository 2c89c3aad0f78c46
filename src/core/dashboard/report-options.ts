// What the dashboard's "Export Report" writes: the report of the session as the dashboard shows it (its selected run
// and checkpoint, its p and t), with the file name it suggests.
import path from 'node:path';
import type { Calibration } from '../metrics/calibrate';
import type { ReportOptions } from '../report/report-data';
import type { AnalysisSession } from '../session';

type SessionState = Pick<AnalysisSession, 'calibration' | 'thr' | 't' | 'selectedRun' | 'selectedCheckpoint'>;

/**
 * The report options of a session. `sweep`: the calibration to show when the session keeps none (p fixed in
 * premem.json): what calibrating would choose, as `premem report` shows it. p counts as calibrated only while it is
 * the session's calibrated p (a slider move makes it given).
 */
export function sessionReportOptions(session: SessionState, sweep: Calibration | null): ReportOptions {
  const calibration = session.calibration ?? sweep;
  return {
    run: session.selectedRun,
    checkpoint: session.selectedCheckpoint,
    thr: session.thr,
    t: session.t,
    calibration,
    calibrated: session.calibration !== null && session.calibration.thr === session.thr,
  };
}

/** "premem-report-<dataset>-<run>-<checkpoint>.html", with anything but letters, digits, '.', '_' and '-' as '_'. */
export function reportFileName(datasetPath: string, run: string, checkpoint: string): string {
  const dataset = path.basename(datasetPath).replace(/\.[^.]*$/, '');
  return `premem-report-${[dataset, run, checkpoint].join('-')}.html`.replace(/[^\w.-]/g, '_');
}
