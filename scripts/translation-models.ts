/** `npm run models:translation -- <model>`: fetches NLLB / opus-mt ONNX models (see --help). */
import { runTranslationModels } from '../src/translation/models/translation-models.cli';
import { MODEL_HOST } from '../src/translation/models/translation-model-catalog';

const defaults = {
  modelsDir: process.env.MODELS_DIR?.trim() || 'models',
  host: process.env.MODEL_HOST?.trim() || MODEL_HOST,
};
void runTranslationModels(process.argv.slice(2), defaults).then((code) => process.exit(code));
