// A CommonJS consumer: require() the package by name.
const api = require('__PKG__');

Promise.all([import('./plan.mjs'), import('./report.mjs')]).then(([plan, { report }]) =>
  report('__CELL__', api, plan.default),
);
