import { defineMessages } from '../web/i18n/define.ts';

/** The SMS the sender gave up on: the page and its refusals. */
export const messages = defineMessages(
  {
    'parents.sms.not_dead': 'Бұл SMS жеткізілмегендердің қатарында емес: оны қайта жіберудің қажеті жоқ.',
    'review.link.sms': 'Жеткізілмеген SMS',
    'review.sms.title': 'Жеткізілмеген SMS',
    'review.sms.intro':
      'Барлық әрекеттен кейін жіберілмеген хабарламалар. Жолдама туралы SMS жоғалса, ата-ана мерзімді өткізіп алуы мүмкін: нөмірді тексеріп, қайта жіберіңіз (сол идемпотенттік кілтпен).',
    'review.sms.none': 'Жеткізілмеген SMS жоқ.',
    'review.sms.item': '№{id} SMS, {date}',
    'review.sms.phone': 'Нөмір',
    'review.sms.kind': 'Түрі',
    'review.sms.attempts': 'Әрекет саны',
    'review.sms.error': 'Соңғы қате',
    'review.sms.subject': 'Неге қатысты',
    'review.sms.retry': 'Қайта жіберу',
    'review.sms.retried': '№{id} SMS қайта жіберу кезегіне қойылды.',
  },
  {
    'parents.sms.not_dead': 'Это SMS не в числе недоставленных: отправлять его заново не нужно.',
    'review.link.sms': 'Недоставленные SMS',
    'review.sms.title': 'Недоставленные SMS',
    'review.sms.intro':
      'Сообщения, которые не удалось отправить после всех попыток. Если потеряно SMS о направлении, родитель может пропустить срок: проверьте номер и отправьте снова (с тем же ключом идемпотентности).',
    'review.sms.none': 'Недоставленных SMS нет.',
    'review.sms.item': 'SMS № {id}, {date}',
    'review.sms.phone': 'Номер',
    'review.sms.kind': 'Вид',
    'review.sms.attempts': 'Попыток',
    'review.sms.error': 'Последняя ошибка',
    'review.sms.subject': 'К чему относится',
    'review.sms.retry': 'Отправить снова',
    'review.sms.retried': 'SMS № {id} снова поставлено в очередь на отправку.',
  },
  {
    'parents.sms.not_dead': 'This SMS is not among the undelivered ones: there is nothing to send again.',
    'review.link.sms': 'Undelivered SMS',
    'review.sms.title': 'Undelivered SMS',
    'review.sms.intro':
      'Messages not sent after all tries. A lost referral SMS may make a parent miss the deadline: check the number and send it again (with the same idempotency key).',
    'review.sms.none': 'No undelivered SMS.',
    'review.sms.item': 'SMS No. {id}, {date}',
    'review.sms.phone': 'Number',
    'review.sms.kind': 'Kind',
    'review.sms.attempts': 'Tries',
    'review.sms.error': 'Last error',
    'review.sms.subject': 'About',
    'review.sms.retry': 'Send again',
    'review.sms.retried': 'SMS No. {id} is queued to be sent again.',
  },
);
