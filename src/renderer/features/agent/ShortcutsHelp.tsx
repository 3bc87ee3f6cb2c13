import { Kbd, Modal, Table } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useUiStore } from '../../stores/ui-store.js';
import { altKey, modKey } from '../../ui/platform.js';

/** The cheat sheet (opened with "?" or the keyboard button in the top bar). */
export function ShortcutsHelp() {
  const { t } = useTranslation();
  const opened = useUiStore((s) => s.shortcutsOpen);
  const setOpen = useUiStore((s) => s.setShortcutsOpen);
  const rows: [keys: string[][], label: string][] = [
    [[[altKey(), '1']], t('shortcuts.available')],
    [[[altKey(), '2']], t('shortcuts.paused')],
    [[[altKey(), '3']], t('shortcuts.offline')],
    [[[modKey(), 'Enter']], t('shortcuts.send')],
    [
      [
        [altKey(), '↓'],
        [altKey(), '↑'],
      ],
      t('shortcuts.nextTicket'),
    ],
    [[[altKey(), 'R']], t('shortcuts.focusReply')],
    [[[altKey(), 'A']], t('phone.shortcuts.answer')],
    [[[altKey(), 'E']], t('phone.shortcuts.hangup')],
    [[[altKey(), 'M']], t('phone.shortcuts.mute')],
    [[[altKey(), 'H']], t('phone.shortcuts.hold')],
    [[[altKey(), 'T']], t('phone.shortcuts.transfer')],
    [[['0–9'], ['*'], ['#']], t('phone.shortcuts.dtmf')],
    [[['?']], t('shortcuts.help')],
  ];
  return (
    <Modal
      opened={opened}
      onClose={() => setOpen(false)}
      title={t('shortcuts.title')}
      centered
      size="lg"
    >
      <Table verticalSpacing="xs">
        <Table.Tbody>
          {rows.map(([combos, label]) => (
            <Table.Tr key={label}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {combos.map((combo, i) => (
                  <span key={i}>
                    {i > 0 && ' / '}
                    {combo.map((key, j) => (
                      <span key={key}>
                        {j > 0 && ' + '}
                        <Kbd size="sm">{key}</Kbd>
                      </span>
                    ))}
                  </span>
                ))}
              </Table.Td>
              <Table.Td>{label}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
