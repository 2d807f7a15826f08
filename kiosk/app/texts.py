"""Every sentence the app shows or says, in one place for review.

Screen text uses "ông/bà"; spoken text uses "ông bà" (a slash would be read aloud).
Button labels that only appear in a ``.kv`` file live there, next to the button.
What is shown and said for a decision (clarify, nothing found, a redirect) is shared
with `kiosk ask` and lives in :mod:`knowledge.replies`; the names below point there.
"""
from __future__ import annotations

from knowledge.answer import UNVERIFIED_NOTE  # noqa: F401 (re-exported for the app)
from knowledge.replies import (  # noqa: F401 (re-exported for the app)
    CLARIFY_HEADING,
    CLARIFY_HINT,
    CLARIFY_MORE_HEADING,
    CLARIFY_MORE_HINT,
    NOT_FOUND_BODY,
    NOT_FOUND_TITLE,
    NOT_HEARD_BODY,
    NOT_HEARD_TITLE,
    SAY_CLARIFY,
    SAY_CLARIFY_MORE,
    SAY_NOT_FOUND,
    SAY_NOT_HEARD,
    SAY_NOT_THESE,
)

# Home and notices
VOICE_LOADING = "Đang khởi động chức năng hỏi bằng giọng nói, xin chờ giây lát…"
NO_MIC = "Micrô chưa sẵn sàng nên kiosk tạm thời chưa nghe được. Mời ông/bà chọn lĩnh vực hoặc tìm bằng bàn phím."
NO_ASR = "Chức năng hỏi bằng giọng nói đang tạm dừng. Mời ông/bà chọn lĩnh vực hoặc tìm bằng bàn phím."
NO_TTS = "Kiosk tạm thời không đọc to được. Mời ông/bà xem trên màn hình."
NO_PRINTER = "Kiosk chưa in được phiếu. Ông/bà có thể xem danh sách giấy tờ phóng to hoặc quét mã QR bằng điện thoại."
THANKS = "Cảm ơn ông/bà đã góp ý!"
ERROR = "Xin lỗi, kiosk vừa gặp trục trặc nhỏ. Mời ông/bà thử lại."
ATTRACT = "Xin chào! Ông/bà cần làm thủ tục gì? Hãy nhấn nút lớn và nói câu hỏi."

# Spoken prompts
SAY_HOME = ("Xin chào. Ông bà nhấn nút Nhấn để hỏi rồi nói câu hỏi, hoặc chọn một lĩnh vực trên màn hình, "
            "hoặc tìm bằng bàn phím.")
SAY_HOME_NO_VOICE = "Xin chào. Ông bà chọn một lĩnh vực trên màn hình, hoặc tìm bằng bàn phím."
SAY_LISTENING = "Kiosk đang nghe. Mời ông bà nói câu hỏi."
SAY_BROWSE = "Lĩnh vực {name}. Mời ông bà chọn thủ tục cần làm."
SAY_BROWSE_EMPTY = "Lĩnh vực {name} chưa có thủ tục nào trên kiosk. Mời ông bà hỏi cán bộ tại quầy số {counter}."
SAY_SEARCH = "Mời ông bà gõ vài chữ của tên thủ tục, không cần dấu, rồi chọn kết quả."
SAY_RATING = "Ông bà có hài lòng với câu trả lời không? Mời chọn một trong ba khuôn mặt."
SAY_IDLE = "Ông bà còn cần xem tiếp không? Nếu còn, mời nhấn nút Tiếp tục."
SAY_STAFF = "Màn hình dành cho cán bộ."

# Screens
BROWSE_EMPTY = "Lĩnh vực này chưa có thủ tục nào trên kiosk. Mời ông/bà hỏi cán bộ tại quầy số {counter}."
SEARCH_HINT = "Gõ vài chữ của tên thủ tục (không cần dấu), ví dụ: khai sinh, tam tru, sao y"
SEARCH_NOTHING = "Chưa thấy thủ tục phù hợp. Ông/bà thử gõ chữ khác, hoặc hỏi cán bộ tại quầy số {counter}."
BRIEF_MARK = "Hỏi cán bộ tại quầy"
REDIRECT_MARK = "Không làm tại đây — xem nơi giải quyết"
NOT_THESE_MORE = "Xem thêm việc khác"  # "Không phải" when the clarify screen has a second page
NOT_THESE_LAST = "Hỏi lại hoặc chọn lĩnh vực"
NOT_THIS_ONE = "Không phải việc ông/bà hỏi?"  # on an answer the kiosk chose
NOT_THIS_ONE_SUB = "Chạm để xem các việc gần giống"

# Printing
PRINTING = "Đang in phiếu, xin chờ giây lát…"

# Listening failures
LISTEN_FAILED = "Xin lỗi, kiosk chưa nghe được. Mời ông/bà thử lại hoặc chọn lĩnh vực trên màn hình."

# Staff
PIN_WRONG = "Mã PIN không đúng."
RELOADED = "Đã nạp lại nội dung: {n} thủ tục (phiên bản {version})."
RELOAD_FAILED = "Chưa nạp lại được nội dung: {error}"

FACES = {"good": 1, "ok": 0, "bad": -1}
"""Rating faces → the question log's rating value."""
