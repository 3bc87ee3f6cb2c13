import {
  Alert,
  Box,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { BridgeError } from '../../../shared/bridge/errors.js';
import { useAppStore } from '../../stores/app-store.js';
import { useSessionStore } from '../../stores/session-store.js';
import { LanguageSwitch } from '../agent/LanguageSwitch.js';
import { unlockAudio } from '../notifications/assignment-sound.js';
import { requestNotificationPermission } from '../notifications/desktop-notification.js';
import { loginErrors, type LoginErrors } from './login-errors.js';

const noErrors: LoginErrors = { form: null, fields: {} };

export function LoginScreen() {
  const { t } = useTranslation();
  const info = useAppStore((s) => s.info);
  const lastHubUrl = useSessionStore((s) =>
    s.session?.status === 'signed_out' ? s.session.lastHubUrl : null,
  );
  const signingIn = useSessionStore((s) => s.signingIn);
  const login = useSessionStore((s) => s.login);

  const [hubUrl, setHubUrl] = useState(lastHubUrl ?? info?.defaultHubUrl ?? '');
  const [loginName, setLoginName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<LoginErrors>(noErrors);
  const hubUrlRef = useRef<HTMLInputElement>(null);
  const loginRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    // This is a user gesture: the moment browsers allow sound and the notification prompt.
    unlockAudio();
    if (info?.transport === 'web') requestNotificationPermission();
    setErrors(noErrors);
    try {
      await login({ hubUrl: hubUrl.trim(), login: loginName, password });
    } catch (error) {
      const explained = loginErrors(t, error, hubUrl.trim());
      setErrors(explained);
      // Put the keyboard where the fix is: the first bad field, the hub address, or the password.
      const { fields } = explained;
      if (fields.hubUrl) hubUrlRef.current?.focus();
      else if (fields.login) loginRef.current?.focus();
      else if (fields.password) passwordRef.current?.focus();
      else if (error instanceof BridgeError && error.code === 'hub_unreachable') {
        hubUrlRef.current?.select();
      } else {
        setPassword('');
        passwordRef.current?.focus();
      }
    }
  };

  const isDemo = Boolean(info?.defaultHubUrl) && hubUrl.trim() === info?.defaultHubUrl;

  return (
    <Box className="login-backdrop">
      <Group justify="flex-end" p="md">
        <LanguageSwitch />
      </Group>
      <Center className="login-center">
        <Paper component="main" withBorder shadow="md" radius="lg" p="xl" w={420} maw="92vw">
          <Stack gap={4} mb="lg">
            <Text className="brand" fw={700} c="indigo.7" size="sm" tt="uppercase">
              {t('app.name')}
            </Text>
            <Title order={1} size="h2">
              {t('login.title')}
            </Title>
            <Text c="dimmed" size="sm">
              {t('login.subtitle')}
            </Text>
          </Stack>
          <form onSubmit={(e) => void onSubmit(e)} noValidate>
            <Stack gap="md">
              {errors.form && (
                <Alert color="red" variant="light" role="alert" data-testid="login-error">
                  {errors.form}
                </Alert>
              )}
              <TextInput
                data-testid="login-hub-url"
                ref={hubUrlRef}
                label={t('login.hubUrl')}
                description={t('login.hubUrlHint')}
                type="url"
                inputMode="url"
                autoComplete="url"
                spellCheck={false}
                value={hubUrl}
                onChange={(e) => setHubUrl(e.currentTarget.value)}
                error={errors.fields.hubUrl}
                required
              />
              <TextInput
                data-testid="login-login"
                ref={loginRef}
                label={t('login.login')}
                autoComplete="username"
                spellCheck={false}
                autoCapitalize="off"
                value={loginName}
                onChange={(e) => setLoginName(e.currentTarget.value)}
                error={errors.fields.login}
                required
                autoFocus
              />
              <PasswordInput
                data-testid="login-password"
                ref={passwordRef}
                label={t('login.password')}
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={errors.fields.password}
                required
              />
              <Button
                type="submit"
                data-testid="login-submit"
                loading={signingIn}
                fullWidth
                mt="xs"
              >
                {t('login.submit')}
              </Button>
              {isDemo && (
                <Text size="xs" c="dimmed" ta="center">
                  {t('login.demoHint')}
                </Text>
              )}
            </Stack>
          </form>
          {info && (
            <Text size="xs" c="dimmed" ta="center" mt="lg">
              {t('app.name')} {info.version}
            </Text>
          )}
        </Paper>
      </Center>
    </Box>
  );
}
