import { Button, SimpleGrid } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** DTMF keypad (RFC 4733 through the call's audio sender). The keyboard digits do the same. */
export function Keypad({ onDigit }: { onDigit: (digit: string) => void }) {
  const { t } = useTranslation();
  return (
    <SimpleGrid
      cols={3}
      spacing={4}
      verticalSpacing={4}
      aria-label={t('phone.keypad')}
      role="group"
    >
      {DTMF_KEYS.map((d) => (
        <Button
          key={d}
          size="compact-sm"
          variant="default"
          data-testid={`dtmf-${d}`}
          onClick={() => onDigit(d)}
        >
          {d}
        </Button>
      ))}
    </SimpleGrid>
  );
}
