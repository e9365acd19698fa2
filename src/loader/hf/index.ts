// Hugging Face model directories: config.json → ModelConfig, generation_config.json →
// GenerationDefaults, safetensors weights (single or sharded) through an injected DirReader.
export { memoryDirReader, dirFilePath, type DirReader } from './dir-reader.ts';
export { HF_ARCHITECTURES, hfConfigToModelConfig, parseHfConfig } from './config.ts';
export { GENERATION_CONFIG_FILE, parseGenerationConfig, toGenerationDefaults } from './generation-config.ts';
export {
  CONFIG_FILE, SINGLE_WEIGHTS_FILE, openHfModelDir, openHfTensors, readHfConfig, readGenerationDefaults, type HfModelDir,
} from './model-dir.ts';
