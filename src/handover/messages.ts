import { defineMessages } from '../web/i18n/define.ts';

/** Hand-over requests: the parent's page and the department's review. */
export const messages = defineMessages(
  {
    'parents.handover.title': "Өтінішті баланың заңды өкіліне беру",
    'parents.handover.intro': "Баланы кезекке басқа адам қойған болса, білім басқармасы құжаттарыңызды тексеріп, өтінішті сізге бере алады. Кезектегі орны сақталады.",
    'parents.handover.file': "Заңды өкіл екеніңізді растайтын құжаттар (баланың туу туралы куәлігі, жеке куәлік; бір PDF немесе сурет)",
    'parents.handover.submit': "Өтінім жіберу",
    'parents.handover.done': "Өтінім білім басқармасына жіберілді.",
    'review.link.handovers': 'Өтінішті заңды өкілге беру өтінімдері',
    'review.handovers.title': 'Өтінішті баланың заңды өкіліне беру',
    'review.handovers.intro':
      'Баланы кезекке басқа адам қойған: өтінім берушінің құжаттары оның баланың нағыз заңды өкілі екенін растаса, өтініш оған беріледі (кезектегі орны мен тарихы сақталады).',
    'review.handovers.none': 'Шешім күтіп тұрған өтінім жоқ.',
    'review.handovers.requester': 'Өтінім беруші',
    'review.handovers.child_iin': 'Баланың ЖСН-і',
    'review.handovers.application': 'Кезектегі өтініш',
    'review.handovers.application.value': '{number}: {child}, мәртебесі — {status}',
    'review.handovers.holder': 'Қазіргі өтініш беруші',
    'review.handovers.no_application': 'Бұл ЖСН-мен белсенді өтініш жоқ — тек қабылдамауға болады.',
  },
  {
    'parents.handover.title': "Передача заявления законному представителю ребёнка",
    'parents.handover.intro': "Если ребёнка поставил в очередь другой человек, управление образования проверит ваши документы и может передать заявление вам. Место в очереди сохраняется.",
    'parents.handover.file': "Документы, подтверждающие, что вы законный представитель (свидетельство о рождении ребёнка, удостоверение личности; один PDF или снимок)",
    'parents.handover.submit': "Отправить заявку",
    'parents.handover.done': "Заявка отправлена в управление образования.",
    'review.link.handovers': 'Запросы о передаче заявления законному представителю',
    'review.handovers.title': 'Передача заявления законному представителю ребёнка',
    'review.handovers.intro':
      'Ребёнка поставил в очередь другой человек: если документы заявителя подтверждают, что он — настоящий законный представитель ребёнка, заявление передаётся ему (место в очереди и история сохраняются).',
    'review.handovers.none': 'Запросов, ожидающих решения, нет.',
    'review.handovers.requester': 'Заявитель',
    'review.handovers.child_iin': 'ИИН ребёнка',
    'review.handovers.application': 'Заявление в очереди',
    'review.handovers.application.value': '{number}: {child}, статус — {status}',
    'review.handovers.holder': 'Кто подал заявление сейчас',
    'review.handovers.no_application': 'Активного заявления с этим ИИН нет — запрос можно только отклонить.',
  },
  {
    'parents.handover.title': "Hand the application to the child’s legal representative",
    'parents.handover.intro': "If someone else put the child in the queue, the education department checks your documents and can hand the application to you. The place in the queue is kept.",
    'parents.handover.file': "Documents proving you are the legal representative (the child’s birth certificate, your identity card; one PDF or picture)",
    'parents.handover.submit': "Send the request",
    'parents.handover.done': "The request is sent to the education department.",
    'review.link.handovers': 'Requests to hand an application to the legal representative',
    'review.handovers.title': 'Handing an application to the child’s legal representative',
    'review.handovers.intro':
      'Someone else put the child in the queue: if the requester’s documents show they are the child’s real legal representative, the application passes to them (its place in the queue and its history kept).',
    'review.handovers.none': 'No requests waiting for a decision.',
    'review.handovers.requester': 'Requester',
    'review.handovers.child_iin': 'Child’s IIN',
    'review.handovers.application': 'Application in the queue',
    'review.handovers.application.value': '{number}: {child}, status — {status}',
    'review.handovers.holder': 'Who holds the application now',
    'review.handovers.no_application': 'No active application with this IIN — the request can only be rejected.',
  },
);
