-- The message centre (站内消息) derives a firm's messages from what is already recorded: its
-- submissions (已受理), the returned and rejected review tasks (退回补正, 不予批准), the approved
-- applications (已批准) and the certificates (已发证, 已撤销). Only whether a user has read a
-- message is kept: one row per user and message key ('accepted:APP:NO', 'task:ID',
-- 'approved:APP', 'issued:CERT', 'revoked:CERT').
CREATE TABLE message_reads (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    message  TEXT NOT NULL,
    read_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, message)
) STRICT;
