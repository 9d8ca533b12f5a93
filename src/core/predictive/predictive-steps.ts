import type { StepRegistry } from '../models/model-step.js';
import { backtestClv } from './clv-backtest.js';
import { backtestClvModels } from './clv-backtest-models.js';
import { fitClvModels } from './clv-model-fits.js';
import { predictClvModels } from './clv-predictions-models.js';
import { fitClvModel, predictClv } from './clv-steps.js';

/** The predictive models' steps, by the name a declaration gives in `step: { name }`: the registry a pipeline run uses. */
export const PREDICTIVE_STEPS: StepRegistry = {
  fit_clv_model: fitClvModel,
  predict_clv: predictClv,
  backtest_clv: backtestClv,
  fit_clv_models: fitClvModels(),
  predict_clv_models: predictClvModels(),
  backtest_clv_models: backtestClvModels(),
};
