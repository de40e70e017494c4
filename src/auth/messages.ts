import { defineMessages } from '../web/i18n/define.ts';

export const messages = defineMessages(
  {
    'auth.invalid_credentials': 'Пайдаланушы аты немесе құпиясөз қате. {max} рет қатарынан қате енгізілсе, кіру {minutes} минутқа бұғатталады.',
    'auth.staff_login.title': 'Қызметкердің кіруі',
    'auth.staff_login.intro': 'Мектепке дейінгі ұйымның, білім басқармасының қызметкерлері мен әкімшілерге арналған.',
    'auth.username': 'Пайдаланушы аты',
    'auth.password': 'Құпиясөз',
    'auth.sign_in': 'Кіру',
    'auth.sign_out': 'Шығу',
    'auth.signed_in_as': 'Сіз жүйеге кірдіңіз: {name}',
  },
  {
    'auth.invalid_credentials': 'Неверное имя пользователя или пароль. После {max} неудачных попыток подряд вход блокируется на {minutes} минут.',
    'auth.staff_login.title': 'Вход для сотрудников',
    'auth.staff_login.intro': 'Для сотрудников дошкольных организаций, управления образования и администраторов.',
    'auth.username': 'Имя пользователя',
    'auth.password': 'Пароль',
    'auth.sign_in': 'Войти',
    'auth.sign_out': 'Выйти',
    'auth.signed_in_as': 'Вы вошли как {name}',
  },
  {
    'auth.invalid_credentials': 'Wrong username or password. After {max} failed attempts in a row, sign-in is locked for {minutes} minutes.',
    'auth.staff_login.title': 'Staff sign-in',
    'auth.staff_login.intro': 'For staff of preschool organisations, the education department and administrators.',
    'auth.username': 'Username',
    'auth.password': 'Password',
    'auth.sign_in': 'Sign in',
    'auth.sign_out': 'Sign out',
    'auth.signed_in_as': 'Signed in as {name}',
  },
);
