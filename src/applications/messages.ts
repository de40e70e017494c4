import { defineMessages } from '../web/i18n/define.ts';
import type { IinProblem } from '../domain/iin.ts';

export type IinSubject = 'problem' | 'child' | 'parent';
type IinKey = `iin.${IinSubject}.${IinProblem}`;

/**
 * IIN refusals, one text per failed check (iin.problem.*), and the same naming whose IIN it is on
 * forms with two (iin.child.*, iin.parent.*).
 */
function iinTexts(subject: Record<IinSubject, string>, problem: Record<IinProblem, string>): Record<IinKey, string> {
  const out = {} as Record<IinKey, string>;
  for (const s of Object.keys(subject) as IinSubject[]) for (const p of Object.keys(problem) as IinProblem[]) out[`iin.${s}.${p}`] = `${subject[s]}: ${problem[p]}`;
  return out;
}

/** Applications, the queue and privilege claims. Kazakh is the master text. */
export const messages = defineMessages(
  {
    ...iinTexts(
      { problem: 'ЖСН қате', child: 'Баланың ЖСН-і қате', parent: 'Ата-ананың (заңды өкілдің) ЖСН-і қате' },
      {
        format: 'ол 12 цифрдан тұруы керек.',
        century: 'жетінші цифр (ғасыр мен жыныс) 1-ден 6-ға дейін болуы керек.',
        date: 'алғашқы алты цифр (ЖЖААКК) нақты туған күнді көрсетпейді.',
        checksum: 'соңғы, бақылау цифры сәйкес келмейді. Нөмірді құжаттан қайта тексеріңіз.',
        never_issued: 'мұндай нөмір берілмейді. Нөмірді құжаттан қайта тексеріңіз.',
      },
    ),
    'application.child_already_queued':
      'Бұл бала кезекте тұр немесе балабақшаға қабылданған: бір балаға тек бір өтініш беріледі. Өтінішті баланың нақты заңды өкіліне беру керек болса, құжаттарымен (жеке куәлік, баланың туу туралы куәлігі, өкілдікті растайтын құжат) білім басқармасына өтініш жазыңыз.',
    'application.school_age': 'Бала мектеп жасына жетті: ол кезекте {date} дейін ғана тұра алатын еді. Мектепке дейінгі ұйымға кезекке қою мүмкін емес.',
    'application.birth_date_future': 'Баланың туған күні болашақта болуы мүмкін емес.',
    'name.empty': 'Аты-жөні толтырылмаған.',
    'name.too_long': 'Аты-жөні тым ұзын: 100 таңбадан аспауы керек.',
    'name.characters': 'Аты-жөнінде тек қазақ, орыс және латын әріптері, бос орын, дефис және апостроф болуы мүмкін.',
    'application.preferences_too_many': 'Ең көбі {max} мектепке дейінгі ұйымды таңдауға болады.',
    'application.preferences_duplicate': 'Бір мектепке дейінгі ұйым тізімде екі рет көрсетілген.',
    'application.organisation_unavailable': 'Таңдалған мектепке дейінгі ұйым табылмады немесе жабылған. Тізімнен қайта таңдаңыз.',
    'application.organisation_kind_mismatch': 'Таңдалған ұйым (№{id}) өтініштегі түрге (балабақша немесе шағын орталық) сәйкес келмейді.',
    'application.pmpk_required': 'Ерекше білім беру қажеттіліктері көрсетілсе, ПМПК қорытындысының деректемелерін енгізіңіз.',
    'application.phone_invalid': 'Телефон нөмірі қате: +7 және 10 цифр болуы керек, мысалы +7 701 123 45 67.',
    'application.parent_mismatch': 'Өтінішті тек өз ЖСН-іңізбен бере аласыз.',
    'application.not_queued': 'Өтініш кезекте емес, бұл әрекет мүмкін емес.',
    'application.referral_outstanding': 'Өтініш бойынша жолдама берілген. Алдымен жолдаманы қайтарыңыз немесе оның мерзімі аяқталсын.',
    'queue.not_found': 'Мұндай нөмірмен немесе ЖСН-мен өтініш табылмады. Нөмірді қайта тексеріңіз.',
    'queue.lookup_one': 'Өтініш нөмірін немесе баланың ЖСН-ін енгізіңіз (біреуін ғана).',
    'queue.lookup_limited': 'Бір желі мекенжайынан баланың ЖСН-і бойынша сағатына {max} реттен артық іздеуге болмайды. Өтініш нөмірі бойынша іздеңіз немесе кейінірек қайталаңыз.',
    'queue.number_invalid': 'Өтініш нөмірі қате терілген: 10 таңба болуы керек, соңғысы бақылау таңбасы. Нөмірді қайта тексеріңіз.',
    'privilege.not_pending': 'Бұл жеңілдік өтініші қаралып қойған немесе кері қайтарылған.',
    'privilege.reason_required': 'Бас тарту себебін жазыңыз.',
    'privilege.not_withdrawable': 'Бұл жеңілдік өтінішін кері қайтару мүмкін емес.',
  },
  {
    ...iinTexts(
      { problem: 'Неверный ИИН', child: 'Неверный ИИН ребёнка', parent: 'Неверный ИИН родителя (законного представителя)' },
      {
        format: 'он должен состоять из 12 цифр.',
        century: 'седьмая цифра (век и пол) должна быть от 1 до 6.',
        date: 'первые шесть цифр (ГГММДД) не образуют существующую дату рождения.',
        checksum: 'не сходится последняя, контрольная цифра. Сверьте номер с документом.',
        never_issued: 'такие номера не выдаются. Сверьте номер с документом.',
      },
    ),
    'application.child_already_queued':
      'Этот ребёнок уже стоит в очереди или зачислен в детский сад: на одного ребёнка подаётся одно заявление. Если заявление нужно передать настоящему законному представителю ребёнка, обратитесь в управление образования с заявлением и документами (удостоверение личности, свидетельство о рождении ребёнка, документ, подтверждающий представительство).',
    'application.school_age': 'Ребёнок достиг школьного возраста: стоять в очереди он мог только до {date}. Поставить его в очередь в дошкольную организацию нельзя.',
    'application.birth_date_future': 'Дата рождения ребёнка не может быть в будущем.',
    'name.empty': 'Имя не заполнено.',
    'name.too_long': 'Имя слишком длинное: не больше 100 знаков.',
    'name.characters': 'В имени могут быть только буквы казахского, русского и латинского алфавитов, пробел, дефис и апостроф.',
    'application.preferences_too_many': 'Можно выбрать не больше {max} дошкольных организаций.',
    'application.preferences_duplicate': 'Одна и та же дошкольная организация указана дважды.',
    'application.organisation_unavailable': 'Выбранная дошкольная организация не найдена или закрыта. Выберите её из списка заново.',
    'application.organisation_kind_mismatch': 'Выбранная организация (№{id}) не того вида, что указан в заявлении (детский сад или мини-центр).',
    'application.pmpk_required': 'При особых образовательных потребностях укажите реквизиты заключения ПМПК.',
    'application.phone_invalid': 'Неверный номер телефона: нужно +7 и 10 цифр, например +7 701 123 45 67.',
    'application.parent_mismatch': 'Подать заявление можно только со своим ИИН.',
    'application.not_queued': 'Заявление не стоит в очереди, это действие невозможно.',
    'application.referral_outstanding': 'По заявлению выдано направление. Сначала верните направление или дождитесь окончания его срока.',
    'queue.not_found': 'Заявление с таким номером или ИИН не найдено. Проверьте номер.',
    'queue.lookup_one': 'Укажите номер заявления или ИИН ребёнка (что-то одно).',
    'queue.lookup_limited': 'С одного сетевого адреса можно искать по ИИН ребёнка не более {max} раз в час. Ищите по номеру заявления или повторите позже.',
    'queue.number_invalid': 'Номер заявления набран с ошибкой: в нём 10 знаков, последний — контрольный. Проверьте номер.',
    'privilege.not_pending': 'Это заявление о льготе уже рассмотрено или отозвано.',
    'privilege.reason_required': 'Укажите причину отказа.',
    'privilege.not_withdrawable': 'Это заявление о льготе отозвать нельзя.',
  },
  {
    ...iinTexts(
      { problem: 'Invalid IIN', child: 'Invalid IIN of the child', parent: 'Invalid IIN of the parent (legal representative)' },
      {
        format: 'it must be 12 digits.',
        century: 'the 7th digit (century and sex) must be 1 to 6.',
        date: 'the first six digits (YYMMDD) are not a real date of birth.',
        checksum: 'the last digit (the check digit) does not match. Compare the number with the document.',
        never_issued: 'no such number is ever issued. Compare the number with the document.',
      },
    ),
    'application.child_already_queued':
      'This child is already in the queue or enrolled: one application per child. If the application must pass to the child’s real legal representative, write to the education department with the documents (identity card, the child’s birth certificate, proof of representation).',
    'application.school_age': 'The child has reached school age: it could stay in the queue only until {date}. It cannot join the preschool queue.',
    'application.birth_date_future': 'The child’s date of birth cannot be in the future.',
    'name.empty': 'The name is empty.',
    'name.too_long': 'The name is too long: 100 characters at most.',
    'name.characters': 'A name may contain only letters of the Kazakh, Russian and Latin alphabets, spaces, hyphens and apostrophes.',
    'application.preferences_too_many': 'You may choose at most {max} preschool organisations.',
    'application.preferences_duplicate': 'The same preschool organisation is listed twice.',
    'application.organisation_unavailable': 'The chosen preschool organisation does not exist or is closed. Choose it from the list again.',
    'application.organisation_kind_mismatch': 'The chosen organisation (No. {id}) is not of the kind in the application (kindergarten or mini-centre).',
    'application.pmpk_required': 'With special educational needs, give the reference of the PMPK conclusion.',
    'application.phone_invalid': 'Invalid phone number: +7 and 10 digits, e.g. +7 701 123 45 67.',
    'application.parent_mismatch': 'You can apply only with your own IIN.',
    'application.not_queued': 'The application is not in the queue; this is not possible.',
    'application.referral_outstanding': 'A referral has been issued for this application. Return the referral first, or wait until it ends.',
    'queue.not_found': 'No application with this number or IIN was found. Check the number.',
    'queue.lookup_one': 'Give the application number or the child’s IIN (one of them).',
    'queue.lookup_limited': 'No more than {max} lookups by a child’s IIN an hour from one network address. Look up by the application number, or try again later.',
    'queue.number_invalid': 'The application number is mistyped: it has 10 characters, the last one a check character. Check the number.',
    'privilege.not_pending': 'This privilege claim has already been decided or withdrawn.',
    'privilege.reason_required': 'Give the reason for the rejection.',
    'privilege.not_withdrawable': 'This privilege claim cannot be withdrawn.',
  },
);

