// Extends the create-plugin webpack config (.config/ stays as generated).
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  return merge(baseConfig, {
    plugins: [
      // The scaffold copies only the app's logos; the nested data source and
      // panels have their own img/ folders next to their plugin.json.
      new CopyWebpackPlugin({
        patterns: [{ from: '{datasource,panels/*}/img/**', to: '.' }],
      }),
    ],
  });
};

export default config;
