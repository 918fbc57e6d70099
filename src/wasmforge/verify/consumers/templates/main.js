// A consumer that imports the package by name (bundled, or run by Node).
import * as api from '__PKG__';
import plan from './plan.mjs';
import { report } from './report.mjs';

report('__CELL__', api, plan);
