"""The words the normaliser reads (knowledge.normalize): chat spellings and abbreviations,
regional words, everyday words for what procedure texts name formally, politeness and
filler words, pronouns.

Tables only; the rules that use them (which word, where in the question) are in
knowledge.normalize. A word added here changes how every text and question is keyed, so
the matching figures are measured again after a change (docs/matching.md).
"""
from __future__ import annotations

# Chat spellings and abbreviations people type on a kiosk keyboard or that appear in
# titles. Keys are folded (no diacritics) single tokens.
ABBREVIATIONS: dict[str, str] = {
    "ko": "không", "k": "không", "kh": "không", "hok": "không", "hong": "không", "hông": "không",
    "hổng": "không", "hem": "không", "khg": "không",
    "dc": "được", "đc": "được", "duoc": "được",
    "dk": "đăng ký", "đk": "đăng ký", "dky": "đăng ký", "đky": "đăng ký", "dki": "đăng ký", "đki": "đăng ký",
    "ki": "ký", "kí": "ký",
    "gks": "giấy khai sinh", "gkh": "giấy kết hôn",
    "cccd": "căn cước công dân", "cmnd": "chứng minh nhân dân", "cmt": "chứng minh nhân dân",
    "bhyt": "bảo hiểm y tế", "bhxh": "bảo hiểm xã hội",
    "ubnd": "ủy ban nhân dân", "hdnd": "hội đồng nhân dân", "hđnd": "hội đồng nhân dân",
    "hk": "hộ khẩu", "kt3": "tạm trú", "kt2": "thường trú",
    "gcn": "giấy chứng nhận", "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "qsdd": "quyền sử dụng đất", "qsdđ": "quyền sử dụng đất", "gpxd": "giấy phép xây dựng",
    "hkd": "hộ kinh doanh", "dkkd": "đăng ký kinh doanh", "đkkd": "đăng ký kinh doanh",
    "gpkd": "giấy phép kinh doanh", "tthc": "thủ tục hành chính", "hs": "hồ sơ",
    "j": "gì", "ji": "gì", "z": "vậy", "v": "vậy", "zậy": "vậy", "ntn": "như thế nào", "bn": "bao nhiêu",
    "trc": "trước", "r": "rồi", "vs": "với", "ng": "người", "mik": "mình", "mk": "mình", "e": "em",
    "ck": "chồng", "vk": "vợ", "bme": "bố mẹ", "bm": "bố mẹ", "cx": "cũng", "ds": "danh sách",
    "nc": "nước", "nn": "nước ngoài", "xn": "xác nhận", "tths": "tình trạng hôn nhân",
    "ttsn": "tình trạng hôn nhân", "tthn": "tình trạng hôn nhân", "sy": "sao y", "xd": "xây dựng",
    # the initials printed on the papers themselves (food-safety certificates, fire-safety
    # inspections, driving licences); typed as such ("xin giay vsattp o dau")
    "attp": "an toàn thực phẩm", "vsattp": "vệ sinh an toàn thực phẩm", "pccc": "phòng cháy chữa cháy",
    "gplx": "giấy phép lái xe", "bhtn": "bảo hiểm thất nghiệp",
    # initials of the services' own names, as forms, notices and the press print them
    # ("dang ky nvqs o dau", "TNXP xin trợ cấp", "ông nội là CCB")
    "nvqs": "nghĩa vụ quân sự", "tnxp": "thanh niên xung phong", "ccb": "cựu chiến binh",
    "htx": "hợp tác xã", "mst": "mã số thuế", "lltp": "lý lịch tư pháp", "btxh": "bảo trợ xã hội",
    "xntthn": "xác nhận tình trạng hôn nhân", "gpmb": "giải phóng mặt bằng",
    "tdc": "tái định cư", "tđc": "tái định cư", "hdmb": "hợp đồng mua bán", "hđmb": "hợp đồng mua bán",
    "dkkh": "đăng ký kết hôn", "đkkh": "đăng ký kết hôn", "dkks": "đăng ký khai sinh", "đkks": "đăng ký khai sinh",
}

# A chat spelling that is a word after these tokens (as typed, before any expansion): "so
# hong" typed without diacritics is "sổ hồng", the land certificate, not "sổ không" — read
# as the yes/no "không", the question lost the certificate ("lam so hong can gi" was keyed
# "lam so"; 22 development questions hold it); "bi hong", "hu hong" is "bị hỏng", "hư hỏng"
# (broken: a card or paper to re-issue), not "bị không".
NOT_CHAT_AFTER: dict[str, frozenset[str]] = {"hong": frozenset({"so", "bi", "hu"})}

# Regional words (mostly southern) mapped to the word used in titles and aliases.
DIALECT: dict[str, str] = {
    "sanh": "sinh", "mần": "làm", "dìa": "về", "hôn thú": "kết hôn", "giấy hôn thú": "giấy kết hôn",
    "bảng số": "biển số", "bang so": "biển số",  # the South's licence plate ("giấy xe với bảng số")
    "chứng tử": "khai tử", "giấy chứng tử": "giấy khai tử", "báo tử": "khai tử", "nhập khẩu": "nhập hộ khẩu", "cắt khẩu": "cắt hộ khẩu", "tách khẩu": "tách hộ khẩu",
    # "thị thực" alone is a visa (three redirect entries); only with a paper is it the old
    # word for certifying one.
    "công chứng": "chứng thực", "thị thực giấy tờ": "chứng thực giấy tờ", "thị thực giấy": "chứng thực giấy",
    "thị thực bản sao": "chứng thực bản sao", "thị thực chữ ký": "chứng thực chữ ký", "sổ hồng": "sổ đỏ",
    # typed plain ("so hong" is read plain like every phrase, knowledge.normalize._typed_plain),
    # "về" before it (about) is dropped, as in CONCEPTS' "về sổ đỏ": folded, "ve so" is "vé
    # số", a lottery ticket, and "vé số hồng" is nothing
    "ve so hong": "sổ đỏ",
    "sao y bản chánh": "sao y bản chính", "bản chánh": "bản chính", "chánh": "chính",
    "tạm trú tạm vắng": "tạm trú tạm vắng", "nhà nước": "nhà nước",
    # Central: "ở mô" (where), "làm răng" (how), "rứa" (so), "mệ/mạ", "tía" (South: father).
    # "quy mô" is a real word in titles and is kept.
    "quy mô": "quy mô", "mô": "đâu", "o mo": "ở đâu", "di mo": "đi đâu", "lam rang": "làm sao", "rua": "vậy", "răng": "sao", "rứa": "vậy", "ri": "vầy",
    "mệ": "bà", "mạ": "mẹ", "tía": "cha", "dzậy": "vậy", "zậy": "vậy", "dzị": "vậy",
    "dzợ": "vợ", "zợ": "vợ",
    # Southern: sick ("bịnh": "thẻ khám bịnh"), Japan ("Nhựt"). Not "nhà thương" (hospital):
    # "nhà thương binh" (a war invalid's family) would become a hospital, and tried on
    # 2026-12-06 it put the permit re-issue before the repair for "xin giấy phép xây dựng để
    # sửa nhà" (tests/test_match.py).
    "bịnh": "bệnh", "nhựt": "nhật",
    "bầy tui": "chúng tôi", "tụi tui": "chúng tôi", "tụi em": "chúng em", "chúng tui": "chúng tôi",
    # Unaccented "can" is read as "cần" (a filler) — but "can cuoc" is how căn cước is typed.
    "can cuoc": "căn cước", "can ho": "căn hộ", "can nha": "căn nhà",
    "thu tuc": "thủ tục", "ho so": "hồ sơ", "giay to": "giấy tờ",  # then dropped as fillers, as typed with accents
}

# Everyday words for a concept that procedure texts name formally.
CONCEPTS: dict[str, str] = {
    "việt kiều": "người việt nam định cư ở nước ngoài", "ngoại quốc": "nước ngoài",
    "người nước ngoài": "người nước ngoài", "tây": "nước ngoài",
    # Typed plain, "chong my" is "chồng Mỹ" (an American husband) or "chống Mỹ" (the American
    # war: veterans' benefits); the country rule read every one as a husband. In a war's
    # words it stays the war.
    **{f"{w} chong my": f"{a} chống mỹ" for w, a in (
        ("khang chien", "kháng chiến"), ("thoi", "thời"), ("tran", "trận"), ("bo doi", "bộ đội"), ("linh", "lính"),
        ("chien tranh", "chiến tranh"))},
    "chong my cuu nuoc": "chống mỹ cứu nước",
    "buôn bán": "kinh doanh", "bán buôn": "kinh doanh", "bán hàng": "kinh doanh", "mở tiệm": "kinh doanh",
    "mở quán": "kinh doanh", "mở cửa hàng": "kinh doanh", "mua bán nhỏ": "kinh doanh",
    "giấy chủ quyền": "sổ đỏ", "chủ quyền nhà": "sổ đỏ", "bằng khoán": "sổ đỏ",
    # "làm khai sinh kèm nhận cha" = the combined procedure ("… kết hợp …"); "kèm theo"
    # (enclosed with) is not.
    # Closing a business for good ("đóng hẳn", "dẹp tiệm") is "chấm dứt hoạt động";
    # "tạm nghỉ" / "đóng cửa tạm thời" is not.
    "đóng hẳn": "chấm dứt", "nghỉ hẳn": "chấm dứt", "dẹp hẳn": "chấm dứt", "ngưng hẳn": "chấm dứt",
    "dừng hẳn": "chấm dứt", "đóng cửa hẳn": "chấm dứt", "dẹp tiệm": "chấm dứt kinh doanh",
    "dẹp quán": "chấm dứt kinh doanh", "đóng tiệm": "chấm dứt kinh doanh", "đóng quán": "chấm dứt kinh doanh",
    "dong tiem": "chấm dứt kinh doanh", "dong quan": "chấm dứt kinh doanh",
    "dong han": "chấm dứt", "nghi han": "chấm dứt", "dong cua han": "chấm dứt",  # typed without diacritics
    # "người có công" is the everyday short form of the legal term.
    "công với cách mạng": "công",
    "kèm": "kết hợp", "kèm theo": "kèm theo",
    # Funeral words people use for "mai táng" (burial).
    "ma chay": "mai táng", "chôn cất": "mai táng", "đám tang": "mai táng", "tang lễ": "mai táng",
    "lo hậu sự": "mai táng", "an táng": "mai táng", "làm ma": "mai táng",
    # Help with money, as the South says it ("nhà nước có phụ tiền chôn cất hông").
    "phụ tiền": "hỗ trợ tiền", "giúp tiền": "hỗ trợ tiền",
    # School fees in everyday words ("xin bớt tiền học", "tiền trường mắc quá").
    "tiền học": "học phí", "tiền trường": "học phí", "tien hoc": "học phí",
    # Moving in and moving out, as the residence and military-service titles say them
    # ("chuyển về" is left alone: "chuyển về quê" is moving away).
    "chuyển vào": "chuyển đến", "chuyển tới": "chuyển đến", "dọn vào": "chuyển đến", "dọn tới": "chuyển đến",
    "dọn đến": "chuyển đến", "chuyển khỏi": "chuyển đi", "dọn đi": "chuyển đi", "dọn khỏi": "chuyển đi",
    # typed without diacritics ("don" is also "đơn": "nộp đơn vào" stays)
    "chuyen vao": "chuyển đến", "chuyen toi": "chuyển đến", "chuyen khoi": "chuyển đi",
    # Where one lives = residence ("xác nhận nơi ở" is xác nhận thông tin về cư trú).
    "nơi ở": "nơi cư trú", "chỗ ở": "nơi cư trú", "vắng nhà": "tạm vắng", "đi vắng": "tạm vắng",
    # A neighbour building over the line is a land dispute.
    "lấn đất": "tranh chấp đất", "lấn ranh": "tranh chấp đất", "lấn sang": "tranh chấp", "lấn chiếm": "tranh chấp",
    # Conditions that make a person "khuyết tật" in everyday words.
    "tự kỷ": "khuyết tật", "bại não": "khuyết tật", "câm điếc": "khuyết tật", "thiểu năng": "khuyết tật",
    "tàn tật": "khuyết tật", "bại liệt": "khuyết tật",
    # "giấy độc thân" is what people call the marital-status certificate.
    "giấy độc thân": "giấy xác nhận tình trạng hôn nhân", "giay doc than": "giấy xác nhận tình trạng hôn nhân",
    "xác nhận độc thân": "xác nhận tình trạng hôn nhân", "xac nhan doc than": "xác nhận tình trạng hôn nhân",
    # … and so is a paper saying one is "not (yet) married" (issue 12: "xin giấy chứng nhận chưa
    # đăng ký kết hôn" was answered with the marriage registration itself).
    "chứng nhận chưa đăng ký kết hôn": "xác nhận tình trạng hôn nhân",
    "xác nhận chưa đăng ký kết hôn": "xác nhận tình trạng hôn nhân",
    "chứng nhận chưa kết hôn": "xác nhận tình trạng hôn nhân", "xác nhận chưa kết hôn": "xác nhận tình trạng hôn nhân",
    "giấy chưa kết hôn": "giấy xác nhận tình trạng hôn nhân", "giấy chưa vợ": "giấy xác nhận tình trạng hôn nhân",
    "giấy chưa chồng": "giấy xác nhận tình trạng hôn nhân",
    "chung nhan chua dang ky ket hon": "xác nhận tình trạng hôn nhân",
    "xac nhan chua dang ky ket hon": "xác nhận tình trạng hôn nhân",
    "chung nhan chua ket hon": "xác nhận tình trạng hôn nhân", "xac nhan chua ket hon": "xác nhận tình trạng hôn nhân",
    "giay chua ket hon": "giấy xác nhận tình trạng hôn nhân",
    # A relative who comes to stay a few days is a stay to notify (lưu trú).
    "lên chơi": "đến lưu trú", "vô chơi": "đến lưu trú", "xuống chơi": "đến lưu trú", "ra chơi": "đến lưu trú",
    "len choi": "đến lưu trú", "vo choi": "đến lưu trú",
    # Papers named by what they record, as people who do not know the official word say
    # them ("cái giấy sinh", "giấy chết", "giấy vợ chồng"; training set 10's speakers of
    # Vietnamese as a second language and the elderly). "giấy" alone is a filler, so
    # without these rows only "sinh ra" or "chết" reached the matcher.
    "giấy sinh": "giấy khai sinh", "giay sinh": "giấy khai sinh",
    # the North's "giấy đẻ" (training set 14); not unaccented: "giay de" is also "giày dép"
    # and "giấy để …" (a paper for …)
    "giấy đẻ": "giấy khai sinh",
    # "về" (about) before the land certificate: folded, "về sổ đỏ" is "vé số", a lottery
    # ticket, and "cho hỏi về sổ đỏ" was answered with the lottery prize redirect. Accented
    # only (unaccented, the two cannot be told apart); no content text holds the phrase, so the
    # index is unchanged (dropping every "về" after asking shifted it: docs/matching-history.md,
    # thirty-sixth session).
    "về sổ đỏ": "sổ đỏ", "về sổ hồng": "sổ đỏ",
    # Typed plain, "ve so do" is "về sổ đỏ" at a ward office ("cho hoi ve so do" was answered
    # with the lottery prize redirect at p 0.99) — unless a word that takes a ticket comes
    # before: "vé số đó" (that ticket). These longer phrases keep it.
    "ve so do": "sổ đỏ", **{f"{w} ve so do": f"{a} vé số đó" for w, a in (
        ("cai", "cái"), ("to", "tờ"), ("tam", "tấm"), ("trung", "trúng"), ("mua", "mua"), ("lanh", "lãnh"),
        ("linh", "lĩnh"), ("do", "dò"), ("ban", "bán"))},
    "giấy chết": "giấy khai tử", "giay chet": "giấy khai tử",
    "giấy vợ chồng": "giấy kết hôn", "giay vo chong": "giấy kết hôn",
    "giấy cưới": "giấy kết hôn", "giay cuoi": "giấy kết hôn",
    "đăng ký cưới": "đăng ký kết hôn", "dang ky cuoi": "đăng ký kết hôn",
    "đăng ký vợ chồng": "đăng ký kết hôn", "đăng ký làm vợ chồng": "đăng ký kết hôn",
    "làm vợ chồng": "đăng ký kết hôn", "lam vo chong": "đăng ký kết hôn",
    "cưới nhau": "kết hôn", "cuoi nhau": "kết hôn", "sổ đất": "sổ đỏ", "so dat": "sổ đỏ",
    # … the land certificate, the vehicle's registration and the building permit by what they
    # are for ("còn cái giấy đất thì tui làm sao": training set 12 named whole families so)
    "giấy đất": "sổ đỏ", "giay dat": "sổ đỏ", "giấy xe": "giấy đăng ký xe", "giay xe": "giấy đăng ký xe",
    "giấy xây nhà": "giấy phép xây dựng", "giay xay nha": "giấy phép xây dựng",
    # … and cards and services by what they do.
    "thẻ khám bệnh": "thẻ bảo hiểm y tế", "the kham benh": "thẻ bảo hiểm y tế",
    "thẻ có chíp": "thẻ căn cước", "thẻ gắn chíp": "thẻ căn cước", "thẻ chíp": "thẻ căn cước",
    "the co chip": "thẻ căn cước", "the gan chip": "thẻ căn cước",
    "giấy đi máy bay": "hộ chiếu", "giay di may bay": "hộ chiếu", "giấy đi nước ngoài": "hộ chiếu",
    "thử gen": "xét nghiệm adn", "xét nghiệm gen": "xét nghiệm adn", "thử adn": "xét nghiệm adn",
    "thu gen": "xét nghiệm adn", "xet nghiem gen": "xét nghiệm adn",
    "chỗ thiêu": "chỗ hỏa táng", "lò thiêu": "lò hỏa táng", "thiêu xác": "hỏa táng", "đi thiêu": "đi hỏa táng",
    # Putting one's name down for the army: the first military-service registration
    # ("thằng cháu 18 tuổi phải đi ghi tên bộ đội hông").
    "ghi tên bộ đội": "đăng ký nghĩa vụ quân sự", "ghi tên đi bộ đội": "đăng ký nghĩa vụ quân sự",
    "ghi tên nghĩa vụ": "đăng ký nghĩa vụ", "ghi tên đi nghĩa vụ": "đăng ký nghĩa vụ",
    "đăng ký bộ đội": "đăng ký nghĩa vụ quân sự", "đăng ký đi bộ đội": "đăng ký nghĩa vụ quân sự",
    "ghi ten bo doi": "đăng ký nghĩa vụ quân sự", "ghi ten di bo doi": "đăng ký nghĩa vụ quân sự",
    "ghi ten nghia vu": "đăng ký nghĩa vụ", "dang ky bo doi": "đăng ký nghĩa vụ quân sự",
    "dang ky di bo doi": "đăng ký nghĩa vụ quân sự",
    "ghi tên đi lính": "đăng ký nghĩa vụ quân sự", "ghi ten di linh": "đăng ký nghĩa vụ quân sự",
    # More time on a permit or a stay is an extension ("xin kéo dài thêm", "xin thêm thời gian").
    "xin kéo dài": "xin gia hạn", "kéo dài thêm": "gia hạn", "kéo dài thời hạn": "gia hạn",
    "xin thêm thời gian": "xin gia hạn", "xin keo dai": "xin gia hạn", "keo dai them": "gia hạn",
    "keo dai thoi han": "gia hạn", "xin them thoi gian": "xin gia hạn",
    # Going away for months is an absence to declare (tạm vắng).
    "đi làm xa": "tạm vắng đi làm xa", "di lam xa": "tạm vắng đi làm xa",
}

# Politeness and filler words that carry no meaning for matching. Removed only as whole
# tokens/phrases; content words that also appear in procedure names (con, cha, mẹ, nhà,
# đất) are deliberately absent.
FILLER_PHRASES: tuple[str, ...] = (
    "cho em hỏi", "cho tôi hỏi", "cho cháu hỏi", "cho con hỏi", "cho bác hỏi", "cho mình hỏi",
    "cho chị hỏi", "cho anh hỏi", "cho cô hỏi", "cho chú hỏi", "cho ông hỏi", "cho bà hỏi",
    "xin hỏi", "làm ơn", "cho hỏi", "vui lòng", "cảm ơn", "cám ơn", "làm sao", "như thế nào", "thế nào", "ra sao",
    "cần những gì", "cần những giấy tờ gì", "cần giấy tờ gì", "những giấy tờ gì", "giấy tờ gì",
    "những gì", "cần gì", "mang theo gì", "phải làm gì", "làm gì", "ở đâu", "chỗ nào", "bao lâu",
    "mấy ngày", "bao nhiêu ngày", "mấy tháng", "bao nhiêu tiền", "hết bao nhiêu", "bao nhiêu",
    "mang giấy gì", "mang những gì", "mang gì", "đem gì", "đem theo gì",
    "thì sao", "được không", "có được không", "không ạ", "là gì", "bây giờ", "hiện nay", "hiện tại",
    "mình muốn", "tôi muốn", "em muốn", "con muốn", "cháu muốn", "bác muốn", "muốn",
)
FILLER_WORDS: frozenset[str] = frozenset(
    "ạ à ơi ờ ừ ừm hử nhé nha nhá nhỉ vậy thế đi với ấy kìa hả hỡi dạ vâng thì là mà nhưng "
    "hỉ hè tề nghen nhen hen nè nghe vầy chúng gì "
    "cần phải nên được có các những một cái này đó kia đây hỏi giúp xin rồi chưa "
    "thủ tục hồ sơ giấy tờ".split()
)
# Pronouns are dropped only where they address someone ("tôi muốn…", "cho bác…"):
# elsewhere they may be a mis-heard syllable ("tạm chú" for "tạm trú").
PRONOUNS: frozenset[str] = frozenset("tôi tui tớ em cháu bác mình chị anh cô chú ông bà".split())

# Phrases of DIALECT and CONCEPTS whose plain spelling is also another phrase, so they are
# mapped only as written with marks (knowledge.normalize maps every other phrase of two or
# more syllables typed plain as well). Counted by bench/fold_ambiguity.py over the accented
# texts of the content and the labelled sets (held-out sets left out): other spellings of
# the plain form above a tenth of the phrase's own ("cho ở" for "chỗ ở", "tự ký" for "tự kỷ",
# "giấy để" for "giấy đẻ", "đơn đến" for "dọn đến").
FOLD_AMBIGUOUS: frozenset[str] = frozenset({
    "bán buôn", "bán hàng", "chỗ ở", "dọn khỏi", "dọn vào", "dọn đi", "dọn đến", "dừng hẳn",
    "giấy đẻ", "làm ma", "ngưng hẳn", "nơi ở", "thẻ chíp", "tự kỷ", "vắng nhà", "về sổ hồng",
})

