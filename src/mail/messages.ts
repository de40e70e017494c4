import { defineMessages } from '../web/i18n/define.ts';

/** The e-mail channel's texts: the demo page of the mails "sent". */
export const messages = defineMessages(
  {
    'mail.demo.title': 'Демо: жіберілген электрондық хаттар',
    'mail.demo.intro': 'Демо режимде хаттар поштаға жіберілмейді. Мұнда соңғы хаттар көрсетіледі: электрондық пошта мекенжайын көрсеткен ата-анаға әр SMS хатпен де келеді.',
    'mail.demo.none': 'Әзірге хат жоқ.',
    'mail.demo.to': 'Кімге',
    'mail.demo.subject': 'Тақырыбы',
  },
  {
    'mail.demo.title': 'Демо: отправленные письма',
    'mail.demo.intro': 'В демо-режиме письма не уходят на почту. Здесь показаны последние письма: родитель, указавший адрес электронной почты, получает каждое SMS ещё и письмом.',
    'mail.demo.none': 'Писем пока нет.',
    'mail.demo.to': 'Кому',
    'mail.demo.subject': 'Тема',
  },
  {
    'mail.demo.title': 'Demo: e-mails sent',
    'mail.demo.intro': 'In demo mode no e-mail leaves the system. The latest mails are shown here: a parent who gave an e-mail address gets every SMS by e-mail too.',
    'mail.demo.none': 'No e-mails yet.',
    'mail.demo.to': 'To',
    'mail.demo.subject': 'Subject',
  },
);
