# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_backend
from . import test_partner_encryption
from . import test_voucher
