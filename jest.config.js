// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

// Jest configuration provided by Grafana scaffolding
const baseConfig = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

const scaffoldTransformPattern = '^.+\\.(t|j)sx?$';

// ES-module-only packages that @grafana/ui 13 loads and the scaffold's list does not name yet.
const extraESModules = ['@react-hookz/web', '@ver0/deep-equal'];

module.exports = {
  ...baseConfig,
  transform: {
    ...baseConfig.transform,
    // d3-color 3.1.1 (a dependency of @grafana/data) ships only .mjs files, which the scaffold's
    // transform pattern does not match; compile them with the same SWC settings.
    '^.+\\.mjs$': baseConfig.transform[scaffoldTransformPattern],
  },
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, ...extraESModules])],
};
