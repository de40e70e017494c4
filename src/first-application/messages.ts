import { defineMessages } from '../web/i18n/define.ts';

/** The first application by a parent with no cabinet yet (/apply), and its hand-over way out. */
export const messages = defineMessages(
  {
    'parents.first.link': 'Жеке кабинетіңіз әлі жоқ па? Баланы кезекке қою',
    'parents.first.title': 'Баланы кезекке қою',
    'parents.first.intro':
      'Жеке кабинет алғашқы өтініш берілген кезде ашылады. Ата-ананың (заңды өкілдің) және баланың деректерін толтырыңыз: біржолғы құпиясөз SMS арқылы келеді, оны енгізгенде бала кезекке қойылады, содан кейін Жеке кабинетке кіру үшін өз құпиясөзіңізді орнатасыз.',
    'parents.first.have_cabinet': 'Жеке кабинетіңіз бар ма? Кіріңіз — баланы кабинеттен кезекке қоясыз.',
    'parents.first.parent': 'Ата-ана (заңды өкіл)',
    'parents.first.phone.hint': 'мысалы, +7 701 123 45 67. Бұл нөмірге біржолғы құпиясөз және кейін жолдама келеді — нөмірді мұқият тексеріңіз.',
    'parents.first.phone2.hint': 'міндетті емес: екінші нөмірге де хабарлама жіберіледі',
    'parents.first.known_note':
      'ЖСН-іңізбен Жеке кабинет бұрыннан бар болса, біржолғы құпиясөз сол кабинеттегі телефон нөміріне жіберіледі, ал ондағы деректер мен телефондар өзгермейді (телефонды ауыстыру — кабинеттегі бөлек рәсім).',
    'parents.first.submit': 'Біржолғы құпиясөз алу',
    'parents.first.code_title': 'Өтінішті растаңыз',
    'parents.first.sent':
      'Біржолғы құпиясөз SMS арқылы жіберілді. Бұл ЖСН-мен Жеке кабинет бұрыннан бар болса, құпиясөз формадағы нөмірге емес, кабинеттегі телефон нөміріне келеді. Ол {minutes} минут жарамды.',
    'parents.first.confirm': 'Растау және кезекке қою',
    'parents.first.restart': 'Өтінішті аяқтау мүмкін болмады: деректер өзгерді. Форманы қайта толтырыңыз.',
    'parents.first.again_form': 'Форманы қайта толтыру',
    'parents.first.way_out':
      'Бұл бала кезекте тұр. Өтінішті басқа адам берген болса және баланың заңды өкілі сіз болсаңыз, өтінішті сізге беру туралы білім басқармасына құжаттармен өтінім жіберіңіз:',
    'parents.first.handover.title': 'Өтінішті баланың заңды өкіліне беру туралы өтінім',
    'parents.first.handover.intro':
      'Баланы кезекке басқа адам қойған болса, білім басқармасы құжаттарыңызды тексеріп, өтінішті сізге бере алады; кезектегі орны сақталады. Өтінім SMS-пен келген біржолғы құпиясөзбен расталады, сонымен бірге Жеке кабинетіңіз ашылады.',
    'parents.first.handover.sent_title': 'Өтінімді растаңыз',
    'parents.first.handover.confirm': 'Растау және өтінім жіберу',
  },
  {
    'parents.first.link': 'Ещё нет личного кабинета? Поставить ребёнка в очередь',
    'parents.first.title': 'Постановка ребёнка в очередь',
    'parents.first.intro':
      'Личный кабинет открывается при подаче первого заявления. Заполните данные родителя (законного представителя) и ребёнка: придёт одноразовый пароль по SMS, после его ввода ребёнок встаёт в очередь, а затем вы задаёте собственный пароль для входа в личный кабинет.',
    'parents.first.have_cabinet': 'Уже есть личный кабинет? Войдите — ребёнка можно поставить в очередь из кабинета.',
    'parents.first.parent': 'Родитель (законный представитель)',
    'parents.first.phone.hint': 'например, +7 701 123 45 67. На этот номер придут одноразовый пароль, а потом направление — проверьте номер внимательно.',
    'parents.first.phone2.hint': 'необязательно: сообщения придут и на второй номер',
    'parents.first.known_note':
      'Если личный кабинет с вашим ИИН уже есть, одноразовый пароль придёт на номер телефона из этого кабинета, а данные и телефоны в нём не изменятся (смена телефона — отдельная процедура в кабинете).',
    'parents.first.submit': 'Получить одноразовый пароль',
    'parents.first.code_title': 'Подтвердите заявление',
    'parents.first.sent':
      'Одноразовый пароль отправлен по SMS. Если личный кабинет с этим ИИН уже есть, пароль придёт не на номер из формы, а на номер телефона из кабинета. Он действует {minutes} мин.',
    'parents.first.confirm': 'Подтвердить и встать в очередь',
    'parents.first.restart': 'Заявление не удалось завершить: данные изменились. Заполните форму заново.',
    'parents.first.again_form': 'Заполнить форму заново',
    'parents.first.way_out':
      'Этот ребёнок уже стоит в очереди. Если заявление подал другой человек, а законный представитель ребёнка — вы, отправьте в управление образования запрос с документами о передаче заявления вам:',
    'parents.first.handover.title': 'Запрос о передаче заявления законному представителю ребёнка',
    'parents.first.handover.intro':
      'Если ребёнка поставил в очередь другой человек, управление образования проверит ваши документы и может передать заявление вам; место в очереди сохраняется. Запрос подтверждается одноразовым паролем по SMS, при этом открывается ваш личный кабинет.',
    'parents.first.handover.sent_title': 'Подтвердите запрос',
    'parents.first.handover.confirm': 'Подтвердить и отправить запрос',
  },
  {
    'parents.first.link': 'No personal cabinet yet? Put a child in the queue',
    'parents.first.title': 'Put a child in the queue',
    'parents.first.intro':
      'The personal cabinet opens with your first application. Fill in the parent’s (legal representative’s) and the child’s data: a one-time password comes by SMS; once you type it, the child is in the queue, and then you set your own password for the personal cabinet.',
    'parents.first.have_cabinet': 'Already have a personal cabinet? Sign in — you can put a child in the queue from the cabinet.',
    'parents.first.parent': 'Parent (legal representative)',
    'parents.first.phone.hint': 'e.g. +7 701 123 45 67. The one-time password and later the referral come to this number — check it carefully.',
    'parents.first.phone2.hint': 'optional: messages go to the second number too',
    'parents.first.known_note':
      'If a personal cabinet with your IIN already exists, the one-time password goes to the phone number in that cabinet, and its data and phones stay as they are (changing a phone is a separate procedure in the cabinet).',
    'parents.first.submit': 'Get a one-time password',
    'parents.first.code_title': 'Confirm the application',
    'parents.first.sent':
      'A one-time password has been sent by SMS. If a personal cabinet with this IIN already exists, it goes to the phone number in the cabinet, not to the one in the form. It is valid {minutes} min.',
    'parents.first.confirm': 'Confirm and join the queue',
    'parents.first.restart': 'The application could not be completed: the data changed. Please fill in the form again.',
    'parents.first.again_form': 'Fill in the form again',
    'parents.first.way_out':
      'This child is already in the queue. If someone else applied and you are the child’s legal representative, send the education department a request, with documents, to hand the application over to you:',
    'parents.first.handover.title': 'Request to hand the application to the child’s legal representative',
    'parents.first.handover.intro':
      'If someone else put the child in the queue, the education department checks your documents and can hand the application over to you; the place in the queue is kept. The request is confirmed by a one-time password by SMS, which also opens your personal cabinet.',
    'parents.first.handover.sent_title': 'Confirm the request',
    'parents.first.handover.confirm': 'Confirm and send the request',
  },
);
