import { defineMessages } from '../web/i18n/define.ts';

/** Identity squatting (issue 13): the parent's age by the IIN, the mobile-number register, document references. Kazakh is the master text. */
export const messages = defineMessages(
  {
    'application.parent_too_young':
      'Ата-ананың (заңды өкілдің) ЖСН-і бойынша жасы {min}-ден кем. Баланы кезекке баланың заңды өкілі өз ЖСН-імен қояды. ЖСН-ді жеке куәліктен тексеріңіз.',
    'application.parent_not_older':
      'Ата-ананың (заңды өкілдің) ЖСН-і бойынша туған күні баланың туған күнінен кейін немесе сол күні. ЖСН-дерді құжаттардан тексеріңіз.',
    'import.reject.parent_too_young': 'Ата-ананың ЖСН-і бойынша жасы {min}-ден кем.',
    'import.reject.parent_not_older': 'Ата-ана ЖСН-і бойынша баладан үлкен емес.',
    'identity.phone_not_parents':
      'Бұл телефон нөмірі ұялы байланыс нөмірлерінің тізілімінде ата-ананың ЖСН-іне тіркелмеген. Өз атыңызға тіркелген нөмірді көрсетіңіз немесе жеке куәлікпен білім басқармасына өзіңіз келіңіз.',
    'identity.unavailable':
      'Телефон нөмірінің ата-ананың ЖСН-іне тиесілі екенін қазір тексеру мүмкін емес. Кейінірек қайталап көріңіз немесе жеке куәлікпен білім басқармасына келіңіз.',
    'document.too_many': 'Пайдаланылмаған құжаттар тым көп (ең көбі {max}). Алдымен жүктелгендерін пайдаланыңыз.',
    'document.invalid':
      'Құжатқа сілтеме ({field}) жарамсыз: бұл сіз осы мақсатқа жүктеген құжат емес немесе ол бұрын пайдаланылған. Құжатты қайта жүктеп, берілген сілтемені көрсетіңіз.',
  },
  {
    'application.parent_too_young':
      'По ИИН родителю (законному представителю) меньше {min} лет. Ребёнка ставит в очередь его законный представитель со своим ИИН. Сверьте ИИН с удостоверением личности.',
    'application.parent_not_older':
      'По ИИН родитель (законный представитель) родился не раньше ребёнка. Сверьте ИИН с документами.',
    'import.reject.parent_too_young': 'По ИИН родителю меньше {min} лет.',
    'import.reject.parent_not_older': 'По ИИН родитель не старше ребёнка.',
    'identity.phone_not_parents':
      'По реестру мобильных номеров этот номер не принадлежит ИИН родителя. Укажите номер, оформленный на вас, или обратитесь в управление образования лично с удостоверением личности.',
    'identity.unavailable':
      'Сейчас не удаётся проверить, что номер принадлежит ИИН родителя. Повторите позже или обратитесь в управление образования с удостоверением личности.',
    'document.too_many': 'Слишком много неиспользованных документов (не больше {max}). Сначала используйте загруженные.',
    'document.invalid':
      'Ссылка на документ ({field}) не принимается: это не документ, который вы загрузили для этой цели, или он уже использован. Загрузите документ заново и укажите выданную ссылку.',
  },
  {
    'application.parent_too_young':
      'By the IIN, the parent (legal representative) is younger than {min}. A child is queued by its legal representative under their own IIN. Compare the IIN with the identity card.',
    'application.parent_not_older': 'By the IINs, the parent (legal representative) was not born before the child. Compare the IINs with the documents.',
    'import.reject.parent_too_young': 'By the IIN, the parent is younger than {min}.',
    'import.reject.parent_not_older': 'By the IINs, the parent is not older than the child.',
    'identity.phone_not_parents':
      'By the mobile-number register, this phone number does not belong to the parent’s IIN. Give a number registered in your name, or apply at the education department in person with your identity card.',
    'identity.unavailable':
      'It cannot be checked now that the phone number belongs to the parent’s IIN. Try again later, or apply at the education department with your identity card.',
    'document.too_many': 'Too many unused documents ({max} at most). Use those uploaded first.',
    'document.invalid':
      'The document reference ({field}) is not accepted: it is not a document you uploaded for this purpose, or it has been used already. Upload the document again and give the reference you get.',
  },
);
