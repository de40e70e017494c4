import { defineMessages } from '../web/i18n/define.ts';

/** Supporting documents: the upload refusals and the document viewer. */
export const messages = defineMessages(
  {
    'parents.upload.required': 'Растайтын құжаттың файлын тіркеңіз.',
    'parents.upload.too_large': 'Файл тым үлкен: ең көбі {mb} МБ.',
    'parents.upload.type': 'Файл PDF, JPEG немесе PNG болуы керек (түрі файлдың мазмұнынан тексеріледі).',
    'review.document': 'Құжат',
    'review.document.open': 'Құжатты ашу ({type})',
  },
  {
    'parents.upload.required': 'Приложите файл подтверждающего документа.',
    'parents.upload.too_large': 'Файл слишком большой: не больше {mb} МБ.',
    'parents.upload.type': 'Файл должен быть PDF, JPEG или PNG (тип проверяется по содержимому файла).',
    'review.document': 'Документ',
    'review.document.open': 'Открыть документ ({type})',
  },
  {
    'parents.upload.required': 'Attach the file of the supporting document.',
    'parents.upload.too_large': 'The file is too large: at most {mb} MB.',
    'parents.upload.type': 'The file must be a PDF, JPEG or PNG (the type is checked from its content).',
    'review.document': 'Document',
    'review.document.open': 'Open the document ({type})',
  },
);
