import { defineMessages } from '../web/i18n/define.ts';

/** The staff's second factor (TOTP): sign-in code and enrolment. */
export const messages = defineMessages(
  {
    'auth.totp_enrolment_required': 'Сіздің рөліңізге екінші фактор міндетті: аутентификатор қолданбасын қосыңыз.',
    'auth.totp.code': 'Аутентификатор қолданбасындағы код',
    'auth.totp.code.hint': 'Екінші фактор қосылған болса: қолданбадағы 6 цифр',
    'auth.totp.enrol.title': 'Екінші факторды қосу',
    'auth.totp.enrol.intro': 'QR-кодты аутентификатор қолданбасымен (мысалы, Google Authenticator, FreeOTP) сканерлеңіз немесе кілтті қолмен енгізіңіз. Содан кейін құпиясөзді қайта енгізіп, қолданбадағы кодты жазыңыз.',
    'auth.totp.secret': 'Кілт',
    'auth.totp.demo': 'Демо: аутентификатор коды (әр демо есептік жазбаның өз кілті бар, кілттер демо іске қосылғанда көрсетіледі):',
    'auth.totp.demo.code': '{username}: {code}',
    'auth.totp.demo.wait': '{username}: келесі код {seconds} секундтан кейін',
  },
  {
    'auth.totp_enrolment_required': 'Для вашей роли обязателен второй фактор: подключите приложение-аутентификатор.',
    'auth.totp.code': 'Код из приложения-аутентификатора',
    'auth.totp.code.hint': 'Если подключён второй фактор: 6 цифр из приложения',
    'auth.totp.enrol.title': 'Подключение второго фактора',
    'auth.totp.enrol.intro': 'Отсканируйте QR-код приложением-аутентификатором (например, Google Authenticator, FreeOTP) или введите ключ вручную. Затем снова введите пароль и код из приложения.',
    'auth.totp.secret': 'Ключ',
    'auth.totp.demo': 'Демо: коды аутентификатора (у каждой демо-учётной записи свой ключ, ключи печатаются при запуске демо):',
    'auth.totp.demo.code': '{username}: {code}',
    'auth.totp.demo.wait': '{username}: следующий код через {seconds} с',
  },
  {
    'auth.totp_enrolment_required': 'Your role needs a second factor: set up an authenticator app.',
    'auth.totp.code': 'Authenticator app code',
    'auth.totp.code.hint': 'If you have a second factor: the 6 digits from the app',
    'auth.totp.enrol.title': 'Set up the second factor',
    'auth.totp.enrol.intro': 'Scan the QR code with an authenticator app (e.g. Google Authenticator, FreeOTP) or type the key in. Then enter your password again and the code from the app.',
    'auth.totp.secret': 'Key',
    'auth.totp.demo': 'Demo: authenticator codes (each demo account has its own key; the keys are printed when the demo starts):',
    'auth.totp.demo.code': '{username}: {code}',
    'auth.totp.demo.wait': '{username}: next code in {seconds} s',
  },
);
