// What other modules may use of the translation role: the directory of served pairs, the
// language table, the job and reply contracts and the text formats. Everything else is internal.
export { TranslationDirectoryModule } from './translation-directory.module';
export { TranslationDirectoryService } from './translation-directory.service';
export { LanguagePair, pairKey } from './engines/translation-engine';
export { languageInfo, languageName, normalizeLanguage } from './languages/language-table';
export { TranslationReply } from './translation-reply';
export { htmlSegments, TextFormat } from './formats/html-segments';
