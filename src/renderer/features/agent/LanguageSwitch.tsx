import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isLanguage, LANGUAGES } from '../../i18n/index.js';
import { useUiStore } from '../../stores/ui-store.js';

const LABELS = { pl: 'PL', en: 'EN' } as const;
const NAMES = { pl: 'Polski', en: 'English' } as const;

export function LanguageSwitch() {
  const { t } = useTranslation();
  const language = useUiStore((s) => s.language);
  const setLanguage = useUiStore((s) => s.setLanguage);
  return (
    <SegmentedControl
      data-testid="language-switch"
      aria-label={t('topbar.language')}
      size="xs"
      value={language}
      onChange={(value) => {
        if (isLanguage(value)) setLanguage(value);
      }}
      data={LANGUAGES.map((lng) => ({
        value: lng,
        label: (
          <span title={NAMES[lng]} lang={lng}>
            {LABELS[lng]}
          </span>
        ),
      }))}
    />
  );
}
