import { defineMessages } from '../web/i18n/define.ts';

export const messages = defineMessages(
  {
    'auth.invalid_credentials': 'Пайдаланушы аты немесе құпиясөз қате. {max} рет қатарынан қате енгізілсе, кіру {minutes} минутқа бұғатталады.',
    'auth.staff_login.title': 'Қызметкердің кіруі',
    'auth.staff_login.intro': 'Мектепке дейінгі ұйымның, білім басқармасының қызметкерлері мен әкімшілерге арналған.',
    'auth.username': 'Пайдаланушы аты',
    'auth.password': 'Құпиясөз',
    'auth.sign_in': 'Кіру',
    'password.common': 'Бұл құпиясөз тым кең таралған: оны бірінші болып тексереді. Басқа, ұзынырақ құпиясөз ойлап табыңыз.',
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
    'password.common': 'Этот пароль слишком распространён: его подбирают первым. Придумайте другой, длиннее.',
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
    'password.common': 'This password is too common: it is among the first an attacker tries. Choose another, longer one.',
    'auth.sign_out': 'Sign out',
    'auth.signed_in_as': 'Signed in as {name}',
  },
);
