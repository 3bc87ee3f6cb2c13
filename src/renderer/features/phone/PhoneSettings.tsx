import { Modal, Progress, Select, Slider, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePhoneStore } from './phone-store.js';
import { mediaEngine } from './start-phone.js';

function useDevices(open: boolean) {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    if (!open || !navigator.mediaDevices) return;
    const load = () =>
      void navigator.mediaDevices
        .enumerateDevices()
        .then(setDevices)
        .catch(() => undefined);
    load();
    navigator.mediaDevices.addEventListener('devicechange', load);
    return () => navigator.mediaDevices.removeEventListener('devicechange', load);
  }, [open]);
  return devices;
}

/** Microphone, speaker and a separate ring device; ring volume; a live microphone level. */
export function PhoneSettings() {
  const { t } = useTranslation();
  const open = usePhoneStore((s) => s.settingsOpen);
  const devices = usePhoneStore((s) => s.devices);
  const setDevices = usePhoneStore((s) => s.setDevices);
  const set = usePhoneStore((s) => s.set);
  const list = useDevices(open);
  const [level, setLevel] = useState(0);

  useEffect(() => {
    if (!open) return;
    const engine = mediaEngine();
    if (!engine) return;
    void engine.testMicrophone().catch(() => undefined);
    return engine.onLevel(setLevel);
  }, [open]);

  const options = (kind: MediaDeviceKind) => [
    { value: '', label: t('phone.settings.default') },
    ...list
      .filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default')
      .map((d, i) => ({ value: d.deviceId, label: d.label || `${kind} ${i + 1}` })),
  ];

  return (
    <Modal
      opened={open}
      onClose={() => set({ settingsOpen: false })}
      title={t('phone.settings.title')}
    >
      <Stack gap="sm">
        <Select
          label={t('phone.settings.microphone')}
          data={options('audioinput')}
          value={devices.micId}
          data-testid="phone-mic"
          allowDeselect={false}
          onChange={(v) => setDevices({ ...devices, micId: v ?? '' })}
        />
        <div>
          <Text size="xs" c="dimmed">
            {t('phone.settings.level')}
          </Text>
          <Progress
            value={Math.round(level * 100)}
            data-testid="mic-level"
            aria-label={t('phone.settings.level')}
          />
        </div>
        <Select
          label={t('phone.settings.speaker')}
          data={options('audiooutput')}
          value={devices.speakerId}
          data-testid="phone-speaker"
          allowDeselect={false}
          onChange={(v) => setDevices({ ...devices, speakerId: v ?? '' })}
        />
        <Select
          label={t('phone.settings.ringDevice')}
          data={options('audiooutput')}
          value={devices.ringId}
          data-testid="phone-ring-device"
          allowDeselect={false}
          onChange={(v) => setDevices({ ...devices, ringId: v ?? '' })}
        />
        <div>
          <Text size="sm">{t('phone.settings.ringVolume')}</Text>
          <Slider
            min={0}
            max={100}
            value={Math.round(devices.ringVolume * 100)}
            data-testid="ring-volume"
            label={(v) => `${v}%`}
            onChange={(v) => setDevices({ ...devices, ringVolume: v / 100 })}
          />
        </div>
        <Text size="xs" c="dimmed">
          {t('phone.settings.fallback')}
        </Text>
      </Stack>
    </Modal>
  );
}
