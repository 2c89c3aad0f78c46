// The dashboard's report export, data map and signal overlaps: the pure parts the panel is built on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportFileName, sessionReportOptions } from '../../src/core/dashboard/report-options';
import type { Calibration } from '../../src/core/metrics/calibrate';
import { prepareRun } from '../../src/core/metrics/premem';
import { makeRun } from '../support/runs';

const calibration = (thr: number): Calibration => ({ p: Math.exp(Math.exp(thr)), thr, r2: 0.9, sweep: [], leaveOneRunOut: null });

test('report options follow the session: selected run and checkpoint, p, t; calibrated only while p is the calibrated one', () => {
  const prepared = [prepareRun(makeRun('a', [[[1, 0], [1.5, 2]]]))];
  const session = { prepared, calibration: calibration(-2.3), thr: -2.3, t: 0.75, selectedRun: 0, selectedCheckpoint: 0 };
  assert.deepEqual(sessionReportOptions(session, null), { run: 0, checkpoint: 0, thr: -2.3, t: 0.75, calibration: session.calibration, calibrated: true });
  assert.equal(sessionReportOptions({ ...session, thr: -2.2 }, null).calibrated, false, 'a slider move makes p given');
  // p fixed in premem.json: no session calibration; the sweep computed for the report is shown, p stays given.
  const sweep = calibration(-2.4);
  const fixed = sessionReportOptions({ ...session, calibration: null, thr: -2.0, selectedCheckpoint: 0, t: 0.5 }, sweep);
  assert.equal(fixed.calibration, sweep);
  assert.deepEqual([fixed.calibrated, fixed.thr, fixed.t], [false, -2.0, 0.5]);
});

test('report file name: dataset, run and checkpoint, with path separators and odd characters made safe', () => {
  assert.equal(reportFileName('/data/gsm8k-train.jsonl', 'run_1', 'checkpoint-100'), 'premem-report-gsm8k-train-run_1-checkpoint-100.html');
  assert.equal(reportFileName('d.jsonl', '../x y', 'c/1'), 'premem-report-d-.._x_y-c_1.html');
});
