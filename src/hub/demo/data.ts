import { type QueueSettings } from '../../shared/api/index.js';
import { type Channel } from '../../shared/domain/index.js';

export const DEMO_PASSWORD = 'demo';
export const DEMO_INTEGRATION_TOKEN = 'demo-integration-key';

/**
 * E-mail and API work is assigned without an offer (auto-accept), so a console without an offer
 * UI still gets those tickets pushed; chat, Messenger, voice and callback work arrives as offers
 * the agent accepts or rejects within the queue's timeout.
 */
export const DEMO_QUEUES: (QueueSettings & { name: string; channels: Channel[] })[] = [
  // Highest priority serves every channel, so it is each channel's default queue.
  {
    name: 'orders',
    channels: ['api', 'chat', 'messenger', 'email', 'voice', 'callback'],
    priority: 10,
    autoAccept: ['email', 'api'],
    slaFirstResponseSeconds: 3600,
  },
  {
    name: 'returns',
    channels: ['api', 'chat', 'messenger', 'email'],
    priority: 5,
    autoAccept: ['email', 'api'],
    topics: ['refund', 'exchange', 'damaged', 'other'],
  },
  {
    name: 'onboarding',
    channels: ['api', 'chat', 'email', 'voice', 'callback'],
    priority: 0,
    autoAccept: ['email', 'api'],
    wrapUpSeconds: 30,
    topics: ['setup', 'payments', 'shipping', 'integration', 'other'],
  },
];

export const DEMO_AGENTS = [
  {
    login: 'agent1',
    name: 'Anna Nowak',
    roles: ['agent' as const],
    queues: ['orders', 'returns', 'onboarding'],
  },
  {
    login: 'agent2',
    name: 'Piotr Wiśniewski',
    roles: ['agent' as const],
    queues: ['orders', 'returns'],
  },
  {
    login: 'agent3',
    name: 'Emma Clarke',
    roles: ['agent' as const],
    queues: ['orders', 'onboarding'],
  },
  { login: 'lead1', name: 'Katarzyna Lewandowska', roles: ['supervisor' as const], queues: [] },
  { login: 'admin', name: 'Hub Admin', roles: ['admin' as const], queues: [] },
];

export interface DemoCustomer {
  name: string;
  email?: string;
  phone?: string;
  lang: 'pl' | 'en';
}

export const DEMO_CUSTOMERS: DemoCustomer[] = [
  {
    name: 'Marta Kowalczyk',
    email: 'marta.kowalczyk@example.pl',
    phone: '+48 601 234 567',
    lang: 'pl',
  },
  { name: 'Tomasz Zieliński', email: 'tomasz.zielinski@example.pl', lang: 'pl' },
  { name: 'Agnieszka Wójcik', phone: '+48 512 987 654', lang: 'pl' },
  { name: 'Jakub Kamiński', email: 'jakub@sklep-rowerowy.example.pl', lang: 'pl' },
  { name: 'Sarah Thompson', email: 'sarah.thompson@example.co.uk', lang: 'en' },
  { name: 'David Miller', email: 'd.miller@example.com', phone: '+44 7700 900123', lang: 'en' },
  { name: 'Ewa Szymańska', email: 'ewa.szymanska@example.pl', lang: 'pl' },
  { name: 'Liam O’Connor', email: 'liam.oconnor@example.ie', lang: 'en' },
];

export interface DemoMessage {
  queue: 'orders' | 'returns' | 'onboarding';
  subject: string;
  text: string;
}

/** Realistic e-commerce customer messages; `{n}` becomes an order number. */
export const DEMO_MESSAGES: Record<'pl' | 'en', DemoMessage[]> = {
  pl: [
    {
      queue: 'orders',
      subject: 'Gdzie jest moja paczka?',
      text: 'Dzień dobry, zamówiłam w poniedziałek (zamówienie {n}), a status od trzech dni to „w realizacji”. Kiedy paczka zostanie wysłana?',
    },
    {
      queue: 'orders',
      subject: 'Zmiana adresu dostawy',
      text: 'Witam, czy mogę jeszcze zmienić adres dostawy dla zamówienia {n}? Przeprowadziłem się w zeszłym tygodniu.',
    },
    {
      queue: 'orders',
      subject: 'Płatność nie przeszła',
      text: 'Zapłaciłem BLIK-iem za zamówienie {n}, pieniądze zeszły z konta, a w sklepie dalej widzę „oczekuje na płatność”.',
    },
    {
      queue: 'returns',
      subject: 'Zwrot butów',
      text: 'Dzień dobry, buty z zamówienia {n} są za małe. Jak mogę je zwrócić i czy zwrot jest darmowy?',
    },
    {
      queue: 'returns',
      subject: 'Reklamacja – uszkodzony towar',
      text: 'Kurier przywiózł paczkę z rozbitym kubkiem (zamówienie {n}). W załączniku zdjęcia. Proszę o wymianę albo zwrot pieniędzy.',
    },
    {
      queue: 'returns',
      subject: 'Kiedy zwrot pieniędzy?',
      text: 'Odesłałam kurtkę dwa tygodnie temu (zamówienie {n}) i nadal nie dostałam zwrotu. Proszę o informację.',
    },
    {
      queue: 'onboarding',
      subject: 'Integracja z BaseLinkerem',
      text: 'Otwieramy sklep z kosmetykami naturalnymi. Jak podłączyć BaseLinkera, żeby zamówienia z Allegro spływały do panelu?',
    },
    {
      queue: 'onboarding',
      subject: 'Konfiguracja płatności',
      text: 'Jestem w trakcie okresu testowego. Które bramki płatności są dostępne i ile trwa ich aktywacja?',
    },
  ],
  en: [
    {
      queue: 'orders',
      subject: 'Where is my order?',
      text: 'Hi, I ordered a week ago (order {n}) and the tracking link still shows "label created". Could you check, please?',
    },
    {
      queue: 'orders',
      subject: 'Wrong size delivered',
      text: 'Hello, I received a medium instead of a large in order {n}. Can you send the right size?',
    },
    {
      queue: 'orders',
      subject: 'Invoice needed',
      text: 'Could you send me a VAT invoice for order {n}? Our company details are in the account.',
    },
    {
      queue: 'returns',
      subject: 'Return request',
      text: 'I would like to return the blender from order {n}, it is too loud. What is the return process?',
    },
    {
      queue: 'returns',
      subject: 'Refund not received',
      text: 'You confirmed my return of order {n} ten days ago but the refund has not arrived yet.',
    },
    {
      queue: 'onboarding',
      subject: 'Importing products',
      text: 'We are trialling the platform for our tea shop. Can we import 300 products from a CSV, and how are variants handled?',
    },
    {
      queue: 'onboarding',
      subject: 'Custom domain',
      text: 'How do I connect my own domain to the trial shop, and do you provide the SSL certificate?',
    },
  ],
};

export const DEMO_CHANNELS: Channel[] = ['email', 'chat', 'api', 'messenger'];
